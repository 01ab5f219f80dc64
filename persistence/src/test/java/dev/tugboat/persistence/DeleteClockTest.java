package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeleteClockTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration RETRY = Duration.ofSeconds(60);

  @Test
  void aDeleteInFlightIsAskedAgainOnlyOnceOlderThanRetryAfter() {
    DeleteClock c = DeleteClock.idle();
    assertTrue(c.due(T0, RETRY));
    c = c.sent(T0);
    assertFalse(c.due(T0.plusSeconds(60), RETRY));
    assertTrue(c.due(T0.plusSeconds(60).plusMillis(1), RETRY));
  }

  @Test
  void anEndedAskMakesTheNextOneDueAtOnce() {
    assertTrue(DeleteClock.idle().sent(T0).answered().due(T0, RETRY));
    assertTrue(DeleteClock.idle().sent(T0).failed().due(T0, RETRY));
  }

  @Test
  void failuresCountUpToTheBudgetAndAnAnswerKeepsThem() {
    DeleteClock c = DeleteClock.idle().sent(T0).failed().sent(T0).failed();
    assertEquals(2, c.failures());
    assertFalse(c.exhausted(3));
    assertTrue(c.exhausted(2));
    assertEquals(2, c.sent(T0).answered().failures());
  }
}
