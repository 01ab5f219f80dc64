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
 * model does. A pod leaves it once seen in any other state, terminating, or no longer listed.
 * Immutable, held by the HostedServiceEntity's actor; in memory only, as the model's watch.
 */
record ReplicaImagePulls(Map<String, ImagePullWatch> byPod) {

  ReplicaImagePulls {
    byPod = Map.copyOf(byPod);
  }

  static ReplicaImagePulls none() {
    return new ReplicaImagePulls(Map.of());
  }

  /** After {@code pod} was seen at {@code now}. */
  ReplicaImagePulls observed(HostedPod pod, Instant now) {
    ImagePullWatch before = byPod.getOrDefault(pod.podName(), ImagePullWatch.none());
    ImagePullWatch after = pod.terminating() ? ImagePullWatch.none()
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

  /** After the informer cache listed {@code pods} at {@code now}; an unsynced list says nothing. */
  ReplicaImagePulls listed(HostedPods pods, Instant now) {
    if (!pods.synced()) {
      return this;
    }
    ReplicaImagePulls next = retain(pods.pods().stream().map(HostedPod::podName).collect(
        java.util.stream.Collectors.toSet()));
    for (HostedPod pod : pods.pods()) {
      next = next.observed(pod, now);
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
