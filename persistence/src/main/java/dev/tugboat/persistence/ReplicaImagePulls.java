package dev.tugboat.persistence;

import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.kubernetes.HostedPods;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link ImagePullWatch} of each pod of a hosted service whose container waits for an image it
 * cannot pull, by pod name, so that a replica stuck pulling fails after image-pull-grace as a
 * model does. Only the pods the service wants (the current pods of its live replicas) are
 * watched; a pod leaves it once seen in any other state, terminating, no longer listed, or no
 * longer wanted.
 * Immutable, held by the HostedServiceEntity's actor; in memory only, as the model's watch.
 */
record ReplicaImagePulls(Map<String, ImagePullWatch> byPod) {

  ReplicaImagePulls {
    byPod = Map.copyOf(byPod);
  }

  static ReplicaImagePulls none() {
    return new ReplicaImagePulls(Map.of());
  }

  /** After {@code pod} was seen at {@code now}, while the service wants the pods {@code wanted}. */
  ReplicaImagePulls observed(HostedPod pod, Set<String> wanted, Instant now) {
    ImagePullWatch before = byPod.getOrDefault(pod.podName(), ImagePullWatch.none());
    ImagePullWatch after = pod.terminating() || !wanted.contains(pod.podName()) ? ImagePullWatch.none()
        : before.observed(pod.container(), pod.reason(), pod.message(), now);
    if (after == before) {
      return this;
    }
    Map<String, ImagePullWatch> next = new HashMap<>(byPod);
    if (after.waiting()) {
      next.put(pod.podName(), after);
    } else {
      next.remove(pod.podName());
    }
    return new ReplicaImagePulls(next);
  }

  /**
   * After the informer cache listed {@code pods} at {@code now}, while the service wants the pods
   * {@code wanted}; an unsynced list says nothing.
   */
  ReplicaImagePulls listed(HostedPods pods, Set<String> wanted, Instant now) {
    if (!pods.synced()) {
      return this;
    }
    ReplicaImagePulls next = retain(pods.pods().stream().map(HostedPod::podName).collect(
        java.util.stream.Collectors.toSet()));
    for (HostedPod pod : pods.pods()) {
      next = next.observed(pod, wanted, now);
    }
    return next;
  }

  /** Only the watches of {@code pods}. */
  ReplicaImagePulls retain(Set<String> pods) {
    if (pods.containsAll(byPod.keySet())) {
      return this;
    }
    Map<String, ImagePullWatch> next = new HashMap<>(byPod);
    next.keySet().retainAll(pods);
    return new ReplicaImagePulls(next);
  }

  /** The watch of {@code pod} when its image has not been pulled for at least {@code grace}. */
  Optional<ImagePullWatch> overGrace(String pod, Instant now, Duration grace) {
    ImagePullWatch w = byPod.get(pod);
    return w != null && w.graceOver(now, grace) ? Optional.of(w) : Optional.empty();
  }

  /** The watch of {@code pod}; {@link ImagePullWatch#none()} when it has no pull problem. */
  ImagePullWatch of(String pod) {
    return byPod.getOrDefault(pod, ImagePullWatch.none());
  }
}
