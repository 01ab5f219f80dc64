package dev.tugboat.k8s;

import static dev.tugboat.k8s.PodConventions.*;

import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Translates a fabric8 {@link Pod} into the protocol's {@link PodSnapshot}. */
public final class PodSnapshots {

  private PodSnapshots() {}

  /** The service a pod belongs to, from its annotations; empty when they are missing. */
  public static Optional<ServiceId> serviceIdOf(Pod pod) {
    Map<String, String> a = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
    if (a == null) {
      return Optional.empty();
    }
    String simulation = a.get(ANNOTATION_SIMULATION_ID);
    String model = a.get(ANNOTATION_MODEL_ID);
    if (simulation == null || simulation.isEmpty() || model == null || model.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ServiceId(simulation, model));
  }

  /** The snapshot of a Tugboat pod; IllegalArgumentException when its annotations name no service. */
  public static PodSnapshot of(Pod pod) {
    return tryOf(pod).orElseThrow(() -> new IllegalArgumentException("pod "
        + (pod.getMetadata() == null ? "?" : pod.getMetadata().getName()) + " has no Tugboat service annotations"));
  }

  /** The snapshot, or empty when the pod has no Tugboat annotations. */
  public static Optional<PodSnapshot> tryOf(Pod pod) {
    return serviceIdOf(pod).map(id -> of(pod, id));
  }

  static PodSnapshot of(Pod pod, ServiceId serviceId) {
    PodStatus status = pod.getStatus();
    String phase = status == null || status.getPhase() == null ? "Unknown" : status.getPhase();
    ContainerStatus cs = modelContainer(status);
    ContainerState state = ContainerState.UNKNOWN;
    Integer exitCode = null;
    String reason = status == null ? null : status.getReason();
    String message = status == null ? null : status.getMessage();
    if (cs != null && cs.getState() != null) {
      var s = cs.getState();
      if (s.getTerminated() != null) {
        ContainerStateTerminated t = s.getTerminated();
        state = ContainerState.TERMINATED;
        exitCode = t.getExitCode();
        reason = firstNonNull(t.getReason(), reason);
        message = firstNonNull(t.getMessage(), message);
      } else if (s.getRunning() != null) {
        state = ContainerState.RUNNING;
      } else if (s.getWaiting() != null) {
        ContainerStateWaiting w = s.getWaiting();
        state = ContainerState.WAITING;
        reason = firstNonNull(w.getReason(), reason);
        message = firstNonNull(w.getMessage(), message);
      }
    }
    boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
    return new PodSnapshot(pod.getMetadata().getName(), serviceId, phase, state, exitCode, reason, message, terminating);
  }

  private static ContainerStatus modelContainer(PodStatus status) {
    if (status == null) {
      return null;
    }
    List<ContainerStatus> all = status.getContainerStatuses();
    if (all == null || all.isEmpty()) {
      return null;
    }
    return all.stream().filter(c -> CONTAINER_NAME.equals(c.getName())).findFirst().orElse(all.get(0));
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }
}
