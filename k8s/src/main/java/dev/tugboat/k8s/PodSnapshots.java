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

  /**
   * The pod's container state is the lowest of its containers' states (osparc's rule:
   * WAITING < RUNNING < TERMINATED; one container pulling and one running is WAITING), with the
   * reason and message of the container that decided it; the exit code is the model container's.
   */
  static PodSnapshot of(Pod pod, ServiceId serviceId) {
    PodStatus status = pod.getStatus();
    String phase = status == null || status.getPhase() == null ? "Unknown" : status.getPhase();
    ContainerStatus model = modelContainer(status);
    ContainerState state = ContainerState.UNKNOWN;
    Integer exitCode = null;
    String reason = status == null ? null : status.getReason();
    String message = status == null ? null : status.getMessage();
    ContainerStatus lowest = null;
    int lowestRank = Integer.MAX_VALUE;
    List<ContainerStatus> all = status == null || status.getContainerStatuses() == null ? List.of() : status.getContainerStatuses();
    // The model container first, so that it decides among containers of equal state.
    List<ContainerStatus> ordered = new java.util.ArrayList<>(all);
    if (model != null) {
      ordered.remove(model);
      ordered.add(0, model);
    }
    for (ContainerStatus cs : ordered) {
      int rank = rank(cs);
      if (rank < lowestRank) {
        lowestRank = rank;
        lowest = cs;
      }
    }
    if (lowest != null && lowest.getState() != null) {
      var s = lowest.getState();
      if (s.getTerminated() != null) {
        ContainerStateTerminated t = s.getTerminated();
        state = ContainerState.TERMINATED;
        ContainerStateTerminated mt = model.getState() == null ? null : model.getState().getTerminated();
        exitCode = mt != null ? mt.getExitCode() : t.getExitCode();
        reason = firstNonNull(mt != null ? mt.getReason() : t.getReason(), reason);
        message = firstNonNull(mt != null ? mt.getMessage() : t.getMessage(), message);
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

  /** WAITING (or no state yet) 0 < RUNNING 1 < TERMINATED 2. */
  private static int rank(ContainerStatus cs) {
    var s = cs.getState();
    if (s == null || s.getWaiting() != null) {
      return 0;
    }
    if (s.getRunning() != null) {
      return 1;
    }
    return s.getTerminated() != null ? 2 : 0;
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
