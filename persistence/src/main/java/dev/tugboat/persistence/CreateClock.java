package dev.tugboat.persistence;

import java.time.Duration;
import java.time.Instant;

/**
 * A service's CreatePod in flight: when it was last sent (null once answered) and how many sends
 * have gone unanswered, for the re-send after create-retry-after and the give-up after
 * create-max-attempts. Read only while the service is Requested, Creating or Queued, so a phase
 * that leaves them leaves the clock as it is. Immutable, held by its service's PodCreation and
 * replaced only by the entity's actor. In memory only: a recovered service starts with a fresh
 * clock and re-sends.
 */
record CreateClock(Instant sentAt, int unanswered) {

  static CreateClock idle() {
    return new CreateClock(null, 0);
  }

  /** A CreatePod was sent at {@code now}. */
  CreateClock sent(Instant now) {
    return new CreateClock(now, unanswered + 1);
  }

  /**
   * An interim answer (Queued): the gateway is alive, so the unanswered count starts again, but the
   * send time stays, so a re-send waits the full create-retry-after.
   */
  CreateClock interimAnswer() {
    return new CreateClock(sentAt, 0);
  }

  /** A final answer, or the pod seen created: nothing is in flight. */
  CreateClock answered() {
    return new CreateClock(null, unanswered);
  }

  /** The last send is younger than {@code retryAfter}: wait for its answer. */
  boolean waiting(Instant now, Duration retryAfter) {
    return sentAt != null && sentAt.plus(retryAfter).isAfter(now);
  }
}
