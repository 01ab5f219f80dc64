package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.kubernetes.PodSnapshot;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LostNodeTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration GRACE = Duration.ofMinutes(5);

  private static PodSnapshot pod(String phase, String reason, String message) {
    return new PodSnapshot("p", null, phase, PodSnapshot.ContainerState.RUNNING, null, reason, message, false);
  }

  @ParameterizedTest(name = "phase {0} reason {1}: lost {2}")
  @CsvSource(nullValues = "null", value = {
      "Unknown, null, true",
      "Running, NodeLost, true",
      "Running, null, false",
      "Pending, Unschedulable, false"})
  void aLostNodeShowsAsPhaseUnknownOrReasonNodeLost(String phase, String reason, boolean lost) {
    assertEquals(lost, LostNode.shows(pod(phase, reason, null)));
  }

  @Test
  void theGraceRunsFromTheFirstSightingAndEndsAtItsLength() {
    LostNode first = LostNode.none().seen(pod("Unknown", null, null), T0);
    LostNode again = first.seen(pod("Running", "NodeLost", "unresponsive"), T0.plusSeconds(60));
    assertSame(first, again);
    assertFalse(again.graceOver(T0.plus(GRACE).minusMillis(1), GRACE));
    assertTrue(again.graceOver(T0.plus(GRACE), GRACE));
    assertEquals("node lost: pod phase Unknown", again.reason());
  }

  @Test
  void theReasonIsThePodsReasonAndMessageWhenItHasThem() {
    LostNode lost = LostNode.none().seen(pod("Running", "NodeLost", "Node n1 is unresponsive"), T0);
    assertEquals("node lost: NodeLost: Node n1 is unresponsive", lost.reason());
  }

  @Test
  void aReachableNodeHasNoGraceToRunOut() {
    assertFalse(LostNode.none().lost());
    assertFalse(LostNode.none().graceOver(T0.plus(Duration.ofDays(1)), GRACE));
  }
}
