package dev.tugboat.persistence;

import dev.tugboat.protocol.kubernetes.PodSnapshot;
import java.time.Duration;
import java.time.Instant;

/**
 * Since when a service's pod has been seen on a lost node, and why, for the failure after
 * lost-node-grace; {@code since} null while the pod's node is reachable. Immutable, held in one field
 * of its ServiceEntity and replaced only by that entity's actor. In memory only: after a restart the
 * next observation starts the grace again, which errs on waiting.
 */
record LostNode(Instant since, String why) {

  static LostNode none() {
    return new LostNode(null, null);
  }

  /** The node controller marks the pods of an unreachable node phase Unknown or reason NodeLost. */
  static boolean shows(PodSnapshot pod) {
    return "Unknown".equals(pod.phase()) || "NodeLost".equals(pod.reason());
  }

  boolean lost() {
    return since != null;
  }

  /** The pod seen on a lost node at {@code now}: the grace and the reason stay those of the first sighting. */
  LostNode seen(PodSnapshot pod, Instant now) {
    if (lost()) {
      return this;
    }
    String detail = ServiceEndings.describe(pod);
    return new LostNode(now, detail.isEmpty() ? "pod phase " + pod.phase() : detail);
  }

  /** The pod has been on a lost node for at least {@code grace}. */
  boolean graceOver(Instant now, Duration grace) {
    return lost() && !since.plus(grace).isAfter(now);
  }

  /** The reason its ending records. */
  String reason() {
    return "node lost: " + why;
  }
}
