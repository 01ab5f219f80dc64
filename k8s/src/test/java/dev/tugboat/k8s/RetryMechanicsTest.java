package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Which failures are retried, how long the backoff is, and the token bucket. */
class RetryMechanicsTest {

  private static KubernetesClientException http(int code, String message) {
    return new KubernetesClientException(message, code, new StatusBuilder().withCode(code).withMessage(message).build());
  }

  @ParameterizedTest(name = "HTTP {0} {1} -> retry {2}")
  @CsvSource({
      "429, too many requests, true",
      "500, internal error, true",
      "503, unavailable, true",
      "504, gateway timeout, true",
      "408, request timeout, true",
      "403, 'pods \"x\" is forbidden: exceeded quota: q', true",
      "403, forbidden, false",
      "400, bad request, false",
      "401, unauthorized, false",
      "404, not found, false",
      "422, 'Pod \"x\" is invalid', false",
  })
  void classifiesHttpFailures(int code, String message, boolean retry) {
    CallOutcome o = ApiErrors.classify(http(code, message));
    assertEquals(retry, o instanceof CallOutcome.Retryable, o.toString());
    if (!retry) {
      assertEquals(new CallOutcome.Fatal(code, message), o);
    }
  }

  @Test
  void readsRetryAfterFromTheStatusDetails() {
    KubernetesClientException e = new KubernetesClientException("slow down", 429, new StatusBuilder().withCode(429)
        .withMessage("slow down").withNewDetails().withRetryAfterSeconds(7).endDetails().build());
    assertEquals(new CallOutcome.Retryable(429, "slow down", Duration.ofSeconds(7)), ApiErrors.classify(e));
  }

  @Test
  void ioErrorsAndTimeoutsAreRetriedOtherClientErrorsAreNot() {
    assertInstanceOf(CallOutcome.Retryable.class,
        ApiErrors.classify(new KubernetesClientException("boom", new IOException("connection reset"))));
    assertInstanceOf(CallOutcome.Retryable.class,
        ApiErrors.classify(new KubernetesClientException("slow", new java.util.concurrent.TimeoutException())));
    assertInstanceOf(CallOutcome.Fatal.class, ApiErrors.classify(new IllegalArgumentException("bad pod")));
  }

  @Test
  void backoffGrowsExponentiallyWithFullJitterCappedAndHonoursRetryAfter() {
    KubernetesSettings.Retry r = new KubernetesSettings.Retry(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofMinutes(1));
    Random random = new Random(42);
    for (int attempt = 0; attempt < 40; attempt++) {
      long cap = Math.min(2000, 100L << Math.min(attempt, 30));
      for (int i = 0; i < 50; i++) {
        long d = Backoff.delay(r, attempt, Duration.ZERO, random).toMillis();
        assertTrue(d >= 0 && d <= cap, "attempt " + attempt + ": " + d);
      }
    }
    assertTrue(Backoff.delay(r, 0, Duration.ofSeconds(5), random).toMillis() >= 5000);
  }

  @ParameterizedTest(name = "attempt {0}")
  @CsvSource({"0", "3", "7", "12", "40"})
  void aTooManyRequestsPausesForTheServersRetryAfterWhateverTheAttempt(int attempt) {
    KubernetesSettings.Retry r = new KubernetesSettings.Retry(Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofMinutes(5));
    Random random = new Random(attempt);
    for (int i = 0; i < 50; i++) {
      assertEquals(Duration.ofSeconds(1), Backoff.afterTooManyRequests(r, attempt, Duration.ofSeconds(1), random));
      assertEquals(Duration.ofSeconds(32), Backoff.afterTooManyRequests(r, attempt, Duration.ofSeconds(32), random));
      // No Retry-After: the refused call's backoff.
      long d = Backoff.afterTooManyRequests(r, attempt, Duration.ZERO, random).toMillis();
      assertTrue(d >= 0 && d <= Math.min(30_000, 200L << Math.min(attempt, 30)), "attempt " + attempt + ": " + d);
    }
  }

  @Test
  void tokenBucketAllowsTheBurstThenTheRate() {
    AtomicLong now = new AtomicLong();
    TokenBucket b = new TokenBucket(10, 3, now::get);
    assertTrue(b.tryTake());
    assertTrue(b.tryTake());
    assertTrue(b.tryTake());
    assertFalse(b.tryTake());
    assertEquals(100_000_000L, b.nanosUntilNext(), 1);
    now.addAndGet(100_000_000L);
    assertTrue(b.tryTake());
    assertFalse(b.tryTake());
    now.addAndGet(10_000_000_000L);
    for (int i = 0; i < 3; i++) {
      assertTrue(b.tryTake());
    }
    assertFalse(b.tryTake());
  }
}
