package dev.tugboat.persistence;

import dev.tugboat.protocol.kubernetes.PodSnapshot;
import java.time.Duration;
import java.time.Instant;

/**
 * When a service last observed its pod, and the pod as last observed (null until one is): a pod
 * absent from the informer cache for pod-missing-grace is gone, and its last observation then
 * decides how the model ended. Immutable, held in one field of its ServiceEntity and replaced only
 * by that entity's actor. In memory only: an incarnation counts from its start.
 */
record PodSighting(Instant lastSeen, PodSnapshot last) {

  /** Nothing observed yet: the grace counts from {@code start}. */
  static PodSighting from(Instant start) {
    return new PodSighting(start, null);
  }

  PodSighting observed(PodSnapshot pod, Instant now) {
    return new PodSighting(now, pod);
  }

  /**
   * The last word of the pod: its last observation, or {@code phaseStart} (the journaled time of
   * the service's phase, e.g. the gateway's answer that it created the pod) when that is later.
   */
  Instant lastWord(Instant phaseStart) {
    return phaseStart.isAfter(lastSeen) ? phaseStart : lastSeen;
  }

  /** No word of the pod for longer than {@code grace}. */
  boolean missing(Instant now, Duration grace, Instant phaseStart) {
    return lastWord(phaseStart).plus(grace).isBefore(now);
  }
}
