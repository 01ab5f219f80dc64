package dev.tugboat.persistence;

import java.time.Duration;
import java.time.Instant;

/**
 * An ended service's report of its end to its simulation: whether a ReportServiceTerminated ask is
 * in flight and when the last one went out, so that at most one is in flight and a new one goes at
 * most every report-retry. Immutable, held by its service's ServiceAftercare and replaced only by
 * the entity's actor. In memory only: a recovered service reports at once.
 */
record ReportClock(boolean inFlight, Instant sentAt) {

  static ReportClock idle() {
    return new ReportClock(false, null);
  }

  /** A report may go out: none in flight, and none sent within {@code retry}. */
  boolean due(Instant now, Duration retry) {
    return !inFlight && (sentAt == null || !sentAt.plus(retry).isAfter(now));
  }

  ReportClock sent(Instant now) {
    return new ReportClock(true, now);
  }

  /** The ask ended (answered or timed out); the next report still waits report-retry from the last send. */
  ReportClock answered() {
    return new ReportClock(false, sentAt);
  }
}
