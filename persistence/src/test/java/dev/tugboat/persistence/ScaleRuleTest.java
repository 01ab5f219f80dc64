package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScaleRuleTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @ParameterizedTest(name = "{0} then {1} in flight over {2} ready: more = {3}")
  @CsvSource({
      "9, 9, 2, true",   // 4.5 per replica twice
      "9, 8, 2, false",  // 4.0 is not above 4
      "9, 0, 2, false",  // the second report is low: the count starts again
      "5, 5, 1, true",
      "5, 5, 0, true",   // none ready yet: per replica is the whole load
      "0, 0, 2, false"})
  void scalesUpOnlyAfterTwoHighReportsInARow(int first, int second, int ready, boolean more) {
    ScaleRule r = ScaleRule.startingAt(T0).reported(T0, first, ready, 4).reported(T0, second, ready, 4);
    assertEquals(more, r.wantsMore());
  }

  @Test
  void aScaleUpStartsTheCountAgainAndIdlenessCountsFromTheLastBusyReport() {
    ScaleRule r = ScaleRule.startingAt(T0).reported(T0, 10, 1, 4).reported(T0.plusSeconds(1), 10, 1, 4);
    assertTrue(r.wantsMore());
    assertFalse(r.scaledUp().wantsMore());
    r = r.reported(T0.plusSeconds(2), 0, 2, 4);
    assertFalse(r.idle(T0.plusSeconds(60), Duration.ofMinutes(1)));
    assertTrue(r.idle(T0.plusSeconds(61), Duration.ofMinutes(1)));
  }
}
