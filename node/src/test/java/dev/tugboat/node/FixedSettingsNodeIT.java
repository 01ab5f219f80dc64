package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.FixedSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node whose configuration changes a setting the deployment recorded on its first start refuses
 * to start with {@link FixedSettings.Changed} (which {@code tugboat run} prints as one line, exit
 * code 2), and leaves the deployment as it was: a node configured as before starts.
 */
class FixedSettingsNodeIT {

  @Test
  void aNodeWithAnotherTagCountRefusesToStart() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(1))) {
      try (TugboatNode first = stack.startNode(Map.of())) {
        assertTrue(first.isReady());
      }
      FixedSettings.Changed refused = assertThrows(FixedSettings.Changed.class,
          () -> stack.startNode(Map.of(FixedSettings.TAG_COUNT, 8)));
      assertEquals(List.of(new FixedSettings.Change(FixedSettings.TAG_COUNT, "4", "8")), refused.changes());
      try (TugboatNode again = stack.startNode(Map.of())) {
        assertTrue(again.isReady());
      }
    }
  }
}
