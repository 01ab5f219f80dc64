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
}
