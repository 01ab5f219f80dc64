package dev.tugboat.persistence;

import java.time.Duration;
import java.time.Instant;

/**
 * The scaling rule of a hosted service, with its hysteresis (docs/architecture.md, "Hosted
 * services"): up by one when the requests in flight per ready replica stay above
 * {@code scale-up-at} for two load reports in a row; back to {@code min} once no request was in
 * flight for the idle timeout. {@code highReports} counts the reports in a row above the mark,
 * {@code lastBusyAt} is the last time any request was in flight (the start, before any).
 */
record ScaleRule(int highReports, Instant lastBusyAt) {

  /** Reports in a row above the mark before one replica is added. */
  static final int HIGH_REPORTS_TO_SCALE = 2;

  static ScaleRule startingAt(Instant now) {
    return new ScaleRule(0, now);
  }

  /** After a load report: {@code inFlight} requests over {@code ready} ready replicas. */
  ScaleRule reported(Instant now, int inFlight, int ready, double scaleUpAt) {
    Instant busy = inFlight > 0 ? now : lastBusyAt;
    boolean high = inFlight > 0 && (double) inFlight / Math.max(1, ready) > scaleUpAt;
    return new ScaleRule(high ? highReports + 1 : 0, busy);
  }

  /** Whether the load calls for one more replica. */
  boolean wantsMore() {
    return highReports >= HIGH_REPORTS_TO_SCALE;
  }

  /** After adding one: the count starts again, so the new replica gets two reports to take load. */
  ScaleRule scaledUp() {
    return new ScaleRule(0, lastBusyAt);
  }

  /** Whether nothing was in flight for {@code idleTimeout}. */
  boolean idle(Instant now, Duration idleTimeout) {
    return !now.isBefore(lastBusyAt.plus(idleTimeout));
  }
}
