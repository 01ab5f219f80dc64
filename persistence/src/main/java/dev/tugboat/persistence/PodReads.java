package dev.tugboat.persistence;

/**
 * A service's reads of its pod in flight: a LookupPod in the informer cache and a ReadPodLog of its
 * ended container's tail. At most one of each; no lookup while the log is read, the pod having
 * ended already. Immutable, held in one field of its ServiceEntity and replaced only by that
 * entity's actor. In memory only: a recovered service has none in flight.
 */
record PodReads(boolean lookupInFlight, boolean readingLog) {

  static PodReads none() {
    return new PodReads(false, false);
  }

  boolean mayLookup() {
    return !lookupInFlight && !readingLog;
  }

  PodReads lookupSent() {
    return new PodReads(true, readingLog);
  }

  PodReads lookupAnswered() {
    return new PodReads(false, readingLog);
  }

  PodReads logReadStarted() {
    return new PodReads(lookupInFlight, true);
  }

  /** The log was read, or the pod's end was decided without it. */
  PodReads logReadOver() {
    return new PodReads(lookupInFlight, false);
  }
}
