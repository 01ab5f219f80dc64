package dev.tugboat.k8s;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * What follows a transient failure of an API call: give up (the retry would end past
 * give-up-after), pause every call of its kind (a 429), or try again after a backoff. An immutable
 * decision from a pure function of the failure, the attempt and the time spent, so that it is
 * tested without a clock or an actor.
 */
sealed interface RetryDecision {

  /** Too late for another attempt: the caller gets this outcome. */
  record GiveUp(CallOutcome.Fatal outcome) implements RetryDecision {}

  /** A 429: every call of the kind pauses for {@code delay}, the refused call first in line after it. */
  record PauseKind(Duration delay) implements RetryDecision {}

  /** Try again after {@code delay}; the pod stays busy meanwhile, so a later call on it cannot overtake. */
  record RetryAfter(Duration delay) implements RetryDecision {}

  /**
   * The decision after attempt number {@code attempt} (0 for the first) failed with {@code failure},
   * {@code elapsed} after the first attempt started.
   */
  static RetryDecision after(KubernetesSettings.Retry retry, int attempt, Duration elapsed,
                             CallOutcome.Retryable failure, RandomGenerator random) {
    boolean tooMany = failure.httpStatus() == 429;
    Duration delay = tooMany
        ? Backoff.afterTooManyRequests(retry, attempt, failure.retryAfter(), random)
        : Backoff.delay(retry, attempt, failure.retryAfter(), random);
    if (elapsed.plus(delay).compareTo(retry.giveUpAfter()) > 0) {
      return new GiveUp(new CallOutcome.Fatal(failure.httpStatus(), "gave up after " + (attempt + 1)
          + " attempts in " + elapsed.toSeconds() + " s: " + failure.reason()));
    }
    return tooMany ? new PauseKind(delay) : new RetryAfter(delay);
  }
}
