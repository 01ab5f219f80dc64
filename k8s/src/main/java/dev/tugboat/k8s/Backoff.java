package dev.tugboat.k8s;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with full jitter: a uniform delay in [0, min(max, min * 2^attempt)]. */
final class Backoff {

  private Backoff() {}

  /** The delay before retry number {@code attempt} (0 for the first retry), at least retryAfter. */
  static Duration delay(KubernetesSettings.Retry retry, int attempt, Duration retryAfter, RandomGenerator random) {
    long min = Math.max(1, retry.minBackoff().toMillis());
    long max = Math.max(min, retry.maxBackoff().toMillis());
    long cap = attempt >= 30 ? max : Math.min(max, min << attempt);
    long jitter = random.nextLong(cap + 1);
    return Duration.ofMillis(Math.max(jitter, retryAfter.toMillis()));
  }

  /**
   * How long a 429 pauses its kind of call: the server's Retry-After when it gives one (API Priority
   * and Fairness grows it as the pressure grows, so the server sets the pace), else the backoff of
   * the refused call's attempt. The attempt does not stretch a given Retry-After: one call refused by
   * several bursts in a row would otherwise pause every call of its kind for up to max-backoff.
   */
  static Duration afterTooManyRequests(KubernetesSettings.Retry retry, int attempt, Duration retryAfter,
                                       RandomGenerator random) {
    return retryAfter.isZero() || retryAfter.isNegative() ? delay(retry, attempt, Duration.ZERO, random) : retryAfter;
  }
}
