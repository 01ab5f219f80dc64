package dev.tugboat.demo;

import dev.tugboat.k8s.sim.SimulatedKubernetes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code bench-cluster}'s own view of a set of pods at the simulated Kubernetes' API server (never
 * a real cluster), kept by a watch: where each pod is in its lifecycle now, and how many were ever
 * seen. Pods outside the set are ignored.
 */
final class PodWatch implements AutoCloseable {

  /** A pod's lifecycle as seen at the API server, in the order it moves through it. */
  enum PodState { NEVER_SEEN, PENDING, RUNNING, ENDED, DELETED }

  private final Set<String> podNames;
  private final Map<String, PodState> states = new ConcurrentHashMap<>();
  private final SharedIndexInformer<Pod> informer;

  PodWatch(SimulatedKubernetes kubernetes, Set<String> podNames) {
    this.podNames = Set.copyOf(podNames);
    ResourceEventHandler<Pod> handler = new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        record(pod);
      }

      @Override
      public void onUpdate(Pod oldPod, Pod pod) {
        record(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        String name = pod.getMetadata().getName();
        if (PodWatch.this.podNames.contains(name)) {
          states.put(name, PodState.DELETED);
        }
      }
    };
    this.informer = kubernetes.client().pods().inNamespace(kubernetes.settings().namespace()).inform(handler);
  }

  private void record(Pod pod) {
    String name = pod.getMetadata().getName();
    if (!podNames.contains(name)) {
      return;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    PodState state = switch (phase == null ? "Pending" : phase) {
      case "Running" -> PodState.RUNNING;
      case "Succeeded", "Failed" -> PodState.ENDED;
      default -> PodState.PENDING;
    };
    states.put(name, state);
  }

  PodState state(String podName) {
    return states.getOrDefault(podName, PodState.NEVER_SEEN);
  }

  /** Pods of the set that were seen at least once (created). */
  int seen() {
    return states.size();
  }

  /** Pods of the set whose container ended (they may have been deleted since). */
  int ended() {
    return (int) states.values().stream().filter(s -> s == PodState.ENDED || s == PodState.DELETED).count();
  }

  /** Pods of the set that exist now. */
  int existing() {
    return (int) states.values().stream().filter(s -> s != PodState.DELETED).count();
  }

  @Override
  public void close() {
    informer.close();
  }
}
