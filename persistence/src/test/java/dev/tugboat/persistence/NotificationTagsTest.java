package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NotificationTagsTest {

  @ParameterizedTest(name = "{0} of {1} slices -> {2}")
  @CsvSource({
      // Pinned: the slice of a journaled event must never change between versions or JVMs.
      "sim02-abc, 4, simulation-notifications-2",
      "restart, 4, simulation-notifications-3",
      "bench-1, 4, simulation-notifications-0",
      "sim02-abc, 1, simulation-notifications-0"})
  void theSliceIsTheStringHashModuloTheCount(String simulationId, int count, String tag) {
    NotificationTags tags = new NotificationTags(count);
    assertEquals(tag, tags.tagFor(simulationId));
    assertEquals(Math.floorMod(simulationId.hashCode(), count), tags.sliceOf(simulationId));
  }

  @Test
  void negativeHashesLandInRangeAndSimulationsSpreadOverEverySlice() {
    NotificationTags tags = new NotificationTags(4);
    Map<String, Integer> perTag = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      String tag = tags.tagFor("sim-" + i);
      assertTrue(tags.all().contains(tag), tag);
      perTag.merge(tag, 1, Integer::sum);
    }
    assertEquals(4, perTag.size());
    perTag.values().forEach(n -> assertTrue(n > 150, perTag.toString()));
    assertEquals(List.of("simulation-notifications-0", "simulation-notifications-1", "simulation-notifications-2",
        "simulation-notifications-3"), tags.all());
  }

  @Test
  void aCountBelowOneOrASliceOutOfRangeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new NotificationTags(0));
    assertThrows(IllegalArgumentException.class, () -> new NotificationTags(4).tag(4));
  }
}
