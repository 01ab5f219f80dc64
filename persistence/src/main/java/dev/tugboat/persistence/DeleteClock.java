package dev.tugboat.persistence;

import java.time.Duration;
import java.time.Instant;

/**
 * A service's DeletePod asks: when the one in flight was sent (null when none is) and how many
 * have ended without a deletion, for the give-up after delete-max-attempts. Immutable, held by its
 * service's ServiceAftercare and replaced only by the entity's actor. In memory only: a recovered
 * service asks again with a fresh count.
 */
record DeleteClock(Instant sentAt, int failures) {

  static DeleteClock idle() {
    return new DeleteClock(null, 0);
  }

  /**
   * A DeletePod may go out: none is in flight, or the one in flight is older than
   * {@code retryAfter} (asked again, it joins the call still queued at the gateway).
   */
  boolean due(Instant now, Duration retryAfter) {
    return sentAt == null || sentAt.plus(retryAfter).isBefore(now);
  }

  DeleteClock sent(Instant now) {
    return new DeleteClock(now, failures);
  }

  /** The ask ended with the pod deleted (or the answer no longer matters). */
  DeleteClock answered() {
    return new DeleteClock(null, failures);
  }

  /** The ask ended without a deletion: refused, or unanswered within the ask's timeout. */
  DeleteClock failed() {
    return new DeleteClock(null, failures + 1);
  }

  boolean exhausted(int maxAttempts) {
    return failures >= maxAttempts;
  }
}
