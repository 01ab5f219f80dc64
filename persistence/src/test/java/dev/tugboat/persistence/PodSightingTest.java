package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.kubernetes.PodSnapshot;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PodSightingTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration GRACE = Duration.ofSeconds(60);
  private static final PodSnapshot POD =
      new PodSnapshot("p", null, "Running", PodSnapshot.ContainerState.RUNNING, null, null, null, false);

  @Test
  void theGraceCountsFromTheIncarnationsStartUntilAnObservation() {
    PodSighting s = PodSighting.from(T0);
    assertNull(s.last());
    assertFalse(s.missing(T0.plusSeconds(60), GRACE, T0.minusSeconds(600)));
    assertTrue(s.missing(T0.plusSeconds(61), GRACE, T0.minusSeconds(600)));
  }

  @Test
  void anObservationRestartsTheGraceAndIsKept() {
    PodSighting s = PodSighting.from(T0).observed(POD, T0.plusSeconds(100));
    assertEquals(POD, s.last());
    assertFalse(s.missing(T0.plusSeconds(160), GRACE, T0));
    assertTrue(s.missing(T0.plusSeconds(161), GRACE, T0));
  }

  @Test
  void aLaterPhaseStartCountsAsWordOfThePod() {
    PodSighting s = PodSighting.from(T0);
    Instant created = T0.plusSeconds(300);
    assertEquals(created, s.lastWord(created));
    assertFalse(s.missing(created.plusSeconds(60), GRACE, created));
  }
}
