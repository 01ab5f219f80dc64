package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What follows a transient failure: a pause of the kind, a retry after a backoff, or giving up. */
class RetryDecisionTest {

  private static final KubernetesSettings.Retry RETRY =
      new KubernetesSettings.Retry(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(60));

  private static CallOutcome.Retryable failure(int status, long retryAfterSeconds) {
    return new CallOutcome.Retryable(status, "reason", Duration.ofSeconds(retryAfterSeconds));
  }

  @ParameterizedTest(name = "HTTP {0}, Retry-After {1} s, attempt {2}, {3} s in -> {4}")
  @CsvSource({
      "429, 7, 0, 0, PauseKind",
      "429, 7, 12, 52, PauseKind",
      "429, 0, 3, 0, PauseKind",
      "500, 0, 0, 0, RetryAfter",
      "503, 5, 9, 10, RetryAfter",
      "429, 7, 2, 54, GiveUp",
      "500, 5, 0, 56, GiveUp",
      "500, 0, 4, 61, GiveUp",
  })
  void decides(int status, long retryAfter, int attempt, long elapsedSeconds, String expected) {
    RetryDecision d = RetryDecision.after(RETRY, attempt, Duration.ofSeconds(elapsedSeconds), failure(status, retryAfter),
        new Random(attempt));
    assertEquals(expected, d.getClass().getSimpleName(), d.toString());
  }

  @Test
  void aPauseIsTheServersRetryAfterWhateverTheAttempt() {
    for (int attempt = 0; attempt < 40; attempt++) {
      assertEquals(new RetryDecision.PauseKind(Duration.ofSeconds(3)),
          RetryDecision.after(RETRY, attempt, Duration.ZERO, failure(429, 3), new Random(attempt)));
    }
  }

  @Test
  void aRetryWaitsAtLeastTheRetryAfterAndAtMostTheBackoffCapOtherwise() {
    Random random = new Random(1);
    for (int attempt = 0; attempt < 40; attempt++) {
      var d = (RetryDecision.RetryAfter) RetryDecision.after(RETRY, attempt, Duration.ZERO, failure(500, 0), random);
      assertTrue(d.delay().toMillis() <= Math.min(2000, 100L << Math.min(attempt, 30)), d.toString());
      var slow = (RetryDecision.RetryAfter) RetryDecision.after(RETRY, attempt, Duration.ZERO, failure(503, 4), random);
      assertTrue(slow.delay().compareTo(Duration.ofSeconds(4)) >= 0, slow.toString());
    }
  }

  @Test
  void givingUpSaysHowManyAttemptsInHowLong() {
    RetryDecision d = RetryDecision.after(RETRY, 6, Duration.ofMillis(60_500), failure(500, 0), new Random(0));
    var giveUp = assertInstanceOf(RetryDecision.GiveUp.class, d);
    assertEquals(new CallOutcome.Fatal(500, "gave up after 7 attempts in 60 s: reason"), giveUp.outcome());
  }
}
