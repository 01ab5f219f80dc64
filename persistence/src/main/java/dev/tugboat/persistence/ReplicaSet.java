package dev.tugboat.persistence;

import dev.tugboat.protocol.hosted.HostedEndpoint.ReadyReplica;
import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.hosted.HostedPodNames;
import dev.tugboat.protocol.hosted.HostedStatus;
import dev.tugboat.protocol.hosted.HostedView.ReplicaView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The replica slots of a hosted service, each with its current pod (slot and generation fix the
 * pod's name) and what was last seen of it. A slot whose pod failed waits for its replacement
 * ({@code replaceAt}) or, after too many failures in a row, is FAILED for good.
 */
record ReplicaSet(String service, Map<Integer, Replica> bySlot) implements dev.tugboat.protocol.CborSerializable {

  ReplicaSet {
    bySlot = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(bySlot));
  }

  static ReplicaSet empty(String service) {
    return new ReplicaSet(service, Map.of());
  }

  /**
   * One slot. observed: its pod has been seen. readySince: when it last became ready.
   * failure: why its last pod failed (kept until a pod of the slot is ready again).
   */
  record Replica(int slot, long generation, HostedStatus status, boolean ready, String podIp, boolean observed,
                 int failuresInRow, int restarts, Instant startedAt, Instant readySince, Instant replaceAt,
                 String failure, boolean givenUp) implements dev.tugboat.protocol.CborSerializable {

    String podName(String service) {
      return HostedPodNames.podName(service, slot, generation);
    }

    /** Waiting for a replacement pod after a failure. */
    boolean waitingToReplace() {
      return replaceAt != null;
    }

    /** Its pod is asked for or runs (not failed and waiting, not given up). */
    boolean live() {
      return replaceAt == null && !givenUp;
    }
  }

  Optional<Replica> slot(int slot) {
    return Optional.ofNullable(bySlot.get(slot));
  }

  /** The slot whose current pod is {@code pod}, if it is one (an older generation is not). */
  Optional<Replica> current(HostedPod pod) {
    Replica r = bySlot.get(pod.slot());
    return r != null && r.generation() == pod.generation() ? Optional.of(r) : Optional.empty();
  }

  int size() {
    return bySlot.size();
  }

  /** The lowest slot number not in use. */
  int freeSlot() {
    int s = 0;
    while (bySlot.containsKey(s)) {
      s++;
    }
    return s;
  }

  /** The generation the next pod of {@code slot} gets, at least {@code floor}. */
  long nextGeneration(int slot, long floor) {
    Replica r = bySlot.get(slot);
    return r == null ? floor : Math.max(floor, r.generation() + 1);
  }

  /** The highest generation in use plus one (a new incarnation of the name starts above it). */
  long generationCeiling() {
    return bySlot.values().stream().mapToLong(Replica::generation).max().orElse(-1) + 1;
  }

  ReplicaSet started(int slot, long generation, Instant at) {
    Replica old = bySlot.get(slot);
    Replica r = new Replica(slot, generation, HostedStatus.PENDING, false, null, false,
        old == null ? 0 : old.failuresInRow(), old == null ? 0 : old.restarts(), at, null, null,
        old == null ? null : old.failure(), false);
    return with(r);
  }

  ReplicaSet observed(int slot, long generation, HostedStatus status, boolean ready, String podIp, Instant at) {
    Replica r = bySlot.get(slot);
    if (r == null || r.generation() != generation) {
      return this;
    }
    Instant readySince = ready ? (r.ready() ? r.readySince() : at) : r.readySince();
    return with(new Replica(slot, generation, status, ready, podIp, true, r.failuresInRow(), r.restarts(),
        r.startedAt(), readySince, r.replaceAt(), ready ? null : r.failure(), r.givenUp()));
  }

  ReplicaSet failed(int slot, long generation, String reason, int failuresInRow, Instant replaceAt) {
    Replica r = bySlot.get(slot);
    if (r == null || r.generation() != generation) {
      return this;
    }
    boolean givenUp = replaceAt == null;
    return with(new Replica(slot, generation, givenUp ? HostedStatus.FAILED : HostedStatus.PENDING, false, null,
        r.observed(), failuresInRow, givenUp ? r.restarts() : r.restarts() + 1, r.startedAt(), null, replaceAt,
        reason, givenUp));
  }

  ReplicaSet removed(int slot) {
    Map<Integer, Replica> m = new TreeMap<>(bySlot);
    m.remove(slot);
    return new ReplicaSet(service, m);
  }

  private ReplicaSet with(Replica r) {
    Map<Integer, Replica> m = new TreeMap<>(bySlot);
    m.put(r.slot(), r);
    return new ReplicaSet(service, m);
  }

  /** The service's status: the lowest of its replicas' (PENDING while it has none). */
  HostedStatus status() {
    return bySlot.values().stream().map(Replica::status).reduce(HostedStatus::lowest).orElse(HostedStatus.PENDING);
  }

  int readyCount() {
    return (int) bySlot.values().stream().filter(Replica::ready).count();
  }

  /** The replicas in the proxy's rotation: ready, with an IP. */
  List<ReadyReplica> ready() {
    return bySlot.values().stream().filter(r -> r.ready() && r.podIp() != null)
        .map(r -> new ReadyReplica(r.podName(service), r.podIp())).toList();
  }

  /** The pod names of the current generations (the pods that should exist, or be asked for). */
  Set<String> currentPods() {
    return bySlot.values().stream().filter(r -> !r.givenUp()).map(r -> r.podName(service))
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The current pod names of every slot, given up or not (what a deletion must make sure is gone). */
  /** The current pods of the live replicas: the pods the service wants. */
  java.util.Set<String> livePods() {
    return bySlot.values().stream().filter(Replica::live).map(r -> r.podName(service))
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  List<String> allPods() {
    return bySlot.values().stream().map(r -> r.podName(service)).toList();
  }

  List<ReplicaView> views() {
    return bySlot.values().stream().map(r -> new ReplicaView(r.slot(), r.generation(), r.podName(service), r.status(),
        r.ready(), r.podIp(), r.restarts(), r.failure())).toList();
  }

  /**
   * The status of a pod as the merge rule sees it (osparc's order): being deleted STOPPING;
   * exited 0 COMPLETE, otherwise FAILED; running and ready RUNNING, running not ready or its
   * container being created STARTING; waiting for its image PULLING; anything before PENDING.
   */
  static HostedStatus statusOf(HostedPod pod) {
    if (pod.terminating()) {
      return HostedStatus.STOPPING;
    }
    String reason = pod.reason() == null ? "" : pod.reason();
    return switch (pod.container()) {
      case TERMINATED -> pod.exitCode() != null && pod.exitCode() == 0 ? HostedStatus.COMPLETE : HostedStatus.FAILED;
      case RUNNING -> pod.ready() ? HostedStatus.RUNNING : HostedStatus.STARTING;
      case WAITING -> switch (reason) {
        case "ErrImagePull", "ImagePullBackOff", "Pulling", "InvalidImageName", "ErrImageNeverPull" ->
            HostedStatus.PULLING;
        case "ContainerCreating", "PodInitializing" -> HostedStatus.STARTING;
        case "CrashLoopBackOff", "CreateContainerError", "RunContainerError" -> HostedStatus.FAILED;
        default -> HostedStatus.PENDING;
      };
      case UNKNOWN -> "Failed".equals(pod.phase()) ? HostedStatus.FAILED
          : "Succeeded".equals(pod.phase()) ? HostedStatus.COMPLETE : HostedStatus.PENDING;
    };
  }

  /** Why an ended pod ended, for the replica's failure. */
  static String endReason(HostedPod pod) {
    if (pod.exitCode() != null) {
      return "its container exited with code " + pod.exitCode()
          + (pod.reason() == null ? "" : " (" + pod.reason() + ")");
    }
    return "its pod " + (pod.phase() == null ? "ended" : "is " + pod.phase())
        + (pod.reason() == null ? "" : " (" + pod.reason() + (pod.message() == null ? "" : ": " + pod.message()) + ")");
  }
}
