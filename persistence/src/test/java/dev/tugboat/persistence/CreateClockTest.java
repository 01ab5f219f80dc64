package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CreateClockTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration RETRY = Duration.ofSeconds(60);

  @Test
  void aSendIsWaitedForUntilRetryAfterThenCountsAsUnanswered() {
    CreateClock c = CreateClock.idle().sent(T0);
    assertTrue(c.waiting(T0.plusSeconds(59), RETRY));
    assertFalse(c.waiting(T0.plusSeconds(60), RETRY));
    assertEquals(2, c.sent(T0.plusSeconds(60)).unanswered());
  }

  @Test
  void anInterimAnswerRestartsTheCountButKeepsTheWait() {
    CreateClock c = CreateClock.idle().sent(T0).sent(T0.plusSeconds(60)).interimAnswer();
    assertEquals(0, c.unanswered());
    assertTrue(c.waiting(T0.plusSeconds(61), RETRY));
  }

  @Test
  void aFinalAnswerEndsTheWait() {
    CreateClock c = CreateClock.idle().sent(T0).answered();
    assertFalse(c.waiting(T0, RETRY));
    assertEquals(1, c.unanswered());
    assertFalse(CreateClock.idle().waiting(T0, RETRY));
  }
}
