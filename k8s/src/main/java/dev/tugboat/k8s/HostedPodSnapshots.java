package dev.tugboat.k8s;

import static dev.tugboat.k8s.PodConventions.*;

import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Translates a fabric8 {@link Pod} of a hosted service into the protocol's {@link HostedPod}: the
 * lowest container state (WAITING < RUNNING < TERMINATED) with that container's reason, ready when
 * every container is ready and the pod is not being deleted.
 */
public final class HostedPodSnapshots {

  private HostedPodSnapshots() {}

  /** The name of the hosted service the pod belongs to (its label), empty for any other pod. */
  public static Optional<String> serviceOf(Pod pod) {
    Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
    String service = labels == null ? null : labels.get(LABEL_HOSTED_SERVICE);
    return service == null || service.isEmpty() ? Optional.empty() : Optional.of(service);
  }

  /** The snapshot, or empty when the pod is not a hosted service's (or its labels are broken). */
  public static Optional<HostedPod> tryOf(Pod pod) {
    Optional<String> service = serviceOf(pod);
    if (service.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> labels = pod.getMetadata().getLabels();
    int slot;
    long generation;
    try {
      slot = Integer.parseInt(labels.getOrDefault(LABEL_REPLICA, ""));
      generation = Long.parseLong(labels.getOrDefault(LABEL_GENERATION, ""));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    PodStatus status = pod.getStatus();
    String phase = status == null || status.getPhase() == null ? "Unknown" : status.getPhase();
    String reason = status == null ? null : status.getReason();
    String message = status == null ? null : status.getMessage();
    List<ContainerStatus> all = status == null || status.getContainerStatuses() == null ? List.of()
        : status.getContainerStatuses();
    ContainerState state = ContainerState.UNKNOWN;
    Integer exitCode = null;
    int lowest = Integer.MAX_VALUE;
    boolean allReady = !all.isEmpty();
    for (ContainerStatus cs : all) {
      allReady &= Boolean.TRUE.equals(cs.getReady());
      var s = cs.getState();
      int rank = s == null || s.getWaiting() != null ? 0 : s.getRunning() != null ? 1 : s.getTerminated() != null ? 2 : 0;
      if (rank >= lowest) {
        continue;
      }
      lowest = rank;
      if (s == null) {
        state = ContainerState.WAITING;
      } else if (s.getWaiting() != null) {
        state = ContainerState.WAITING;
        reason = s.getWaiting().getReason() != null ? s.getWaiting().getReason() : reason;
        message = s.getWaiting().getMessage() != null ? s.getWaiting().getMessage() : message;
      } else if (s.getRunning() != null) {
        state = ContainerState.RUNNING;
      } else if (s.getTerminated() != null) {
        state = ContainerState.TERMINATED;
        exitCode = s.getTerminated().getExitCode();
        reason = s.getTerminated().getReason() != null ? s.getTerminated().getReason() : reason;
        message = s.getTerminated().getMessage() != null ? s.getTerminated().getMessage() : message;
      }
    }
    boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
    String ip = status == null ? null : status.getPodIP();
    boolean ready = allReady && !terminating && state == ContainerState.RUNNING && ip != null && !ip.isEmpty();
    return Optional.of(new HostedPod(pod.getMetadata().getName(), service.get(), slot, generation, phase, state,
        reason, message, ready, ip, exitCode, terminating));
  }
}
