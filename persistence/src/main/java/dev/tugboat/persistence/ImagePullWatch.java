package dev.tugboat.persistence;

import dev.tugboat.protocol.kubernetes.PodSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Since when a service's container has been waiting for an image it cannot pull, and why, for the
 * failure after image-pull-grace; {@code since} null while no pull problem is seen. A kubelet
 * retries a failed pull with a growing back-off, so the waiting reason alternates between
 * ErrImagePull and ImagePullBackOff: the grace runs from the first of them until the container is
 * seen in any other state. Immutable, held by its ServiceEntity (one field) or HostedServiceEntity
 * (one per replica pod, {@link ReplicaImagePulls}) and replaced only by that entity's actor. In
 * memory only: after a restart the next observation starts the grace again, which errs on waiting.
 */
record ImagePullWatch(Instant since, String why) {

  /**
   * The waiting reasons of a container whose image cannot be pulled. CreateContainerConfigError is
   * not one: a pod shows it while a Secret its environment refers to is not there yet, which the
   * gateway creates beside the pod.
   */
  static final Set<String> PULL_REASONS = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
      "ErrImageNeverPull");

  static ImagePullWatch none() {
    return new ImagePullWatch(null, null);
  }

  /** The pod's container waits for an image it cannot pull. */
  static boolean shows(PodSnapshot pod) {
    return shows(pod.container(), pod.reason());
  }

  /** A container in {@code state} with waiting reason {@code reason} waits for an image it cannot pull. */
  static boolean shows(PodSnapshot.ContainerState state, String reason) {
    return state == PodSnapshot.ContainerState.WAITING && reason != null && PULL_REASONS.contains(reason);
  }

  boolean waiting() {
    return since != null;
  }

  /**
   * The watch after {@code pod} was observed at {@code now}: a pull problem keeps the grace and the
   * reason of the first sighting; anything else forgets it.
   */
  ImagePullWatch observed(PodSnapshot pod, Instant now) {
    return observed(pod.container(), pod.reason(), pod.message(), now);
  }

  /** {@link #observed(PodSnapshot, Instant)} for a container in {@code state} with its reason and message. */
  ImagePullWatch observed(PodSnapshot.ContainerState state, String reason, String message, Instant now) {
    if (!shows(state, reason)) {
      return waiting() ? none() : this;
    }
    return waiting() ? this : new ImagePullWatch(now, ServiceEndings.describe(reason, message));
  }

  /** The image has not been pulled for at least {@code grace}. */
  boolean graceOver(Instant now, Duration grace) {
    return waiting() && !since.plus(grace).isAfter(now);
  }

  /** The reason the model's ending (or the replica's failure) records: the image and the waiting reason. */
  String reason(String image) {
    return "image " + image + " could not be pulled: " + why;
  }
}
