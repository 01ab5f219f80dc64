package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationEvent.NotificationDelivered;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulationEventTagsTest {
  private static final NotificationTags SLICES = new NotificationTags(4);

  @Test
  void anEventThatQueuesANotificationCarriesBothProjectionsTags() {
    assertEquals(Set.of(SLICES.tagFor("s1"), SimulationSummaryProjection.tagFor(SLICES, "s1")),
        SimulationEventTags.of(SLICES, "s1", new ModelsReadyQueued("s1", 1, Instant.EPOCH)));
  }

  @Test
  void theOutboxBookkeepingCarriesNoTag() {
    assertEquals(Set.of(), SimulationEventTags.of(SLICES, "s1", new NotificationDelivered("s1", 1, Instant.EPOCH)));
  }
}
