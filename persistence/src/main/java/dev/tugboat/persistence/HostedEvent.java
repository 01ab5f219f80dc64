package dev.tugboat.persistence;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.HostedStatus;
import java.time.Instant;
import java.util.List;

/**
 * Journal events of a {@link HostedServiceEntity}: a public, versioned contract (add fields, never
 * reuse them; the type names are the version-1 names).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = HostedEvent.HostedCreated.class, name = "HostedCreated"),
    @JsonSubTypes.Type(value = HostedEvent.ReplicaStarted.class, name = "HostedReplicaStarted"),
    @JsonSubTypes.Type(value = HostedEvent.ReplicaObserved.class, name = "HostedReplicaObserved"),
    @JsonSubTypes.Type(value = HostedEvent.ReplicaFailed.class, name = "HostedReplicaFailed"),
    @JsonSubTypes.Type(value = HostedEvent.ReplicaRemoved.class, name = "HostedReplicaRemoved"),
    @JsonSubTypes.Type(value = HostedEvent.Scaled.class, name = "HostedScaled"),
    @JsonSubTypes.Type(value = HostedEvent.RestartStarted.class, name = "HostedRestartStarted"),
    @JsonSubTypes.Type(value = HostedEvent.RestartFinished.class, name = "HostedRestartFinished"),
    @JsonSubTypes.Type(value = HostedEvent.DeletionStarted.class, name = "HostedDeletionStarted"),
    @JsonSubTypes.Type(value = HostedEvent.PodRemoved.class, name = "HostedPodRemoved"),
    @JsonSubTypes.Type(value = HostedEvent.HostedDeleted.class, name = "HostedDeleted")
})
public sealed interface HostedEvent extends CborSerializable {

  String name();

  Instant at();

  /** The service was asked to run with {@code spec} ({@code spec.replicas().min()} replicas at first). */
  record HostedCreated(String name, HostedSpec spec, Instant at) implements HostedEvent {}

  /**
   * Replica {@code slot} gets a pod in {@code generation} (persisted before the pod is asked for,
   * so its name is fixed before it exists).
   */
  record ReplicaStarted(String name, int slot, long generation, Instant at) implements HostedEvent {}

  /** The pod of the replica's current generation moved: its status, readiness and IP. */
  record ReplicaObserved(String name, int slot, long generation, HostedStatus status, boolean ready, String podIp,
                         Instant at) implements HostedEvent {}

  /**
   * The replica's pod failed ({@code reason}); it is replaced at {@code replaceAt}, or never
   * (null: too many failures in a row, the replica is FAILED). failuresInRow counts this one.
   */
  record ReplicaFailed(String name, int slot, long generation, String reason, int failuresInRow, Instant replaceAt,
                       Instant at) implements HostedEvent {}

  /** The replica slot is gone (scaled down): its pod {@code podName} is deleted. */
  record ReplicaRemoved(String name, int slot, String podName, Instant at) implements HostedEvent {}

  /** The service wants {@code replicas} replicas now, for {@code reason} (load, idle). */
  record Scaled(String name, int replicas, String reason, Instant at) implements HostedEvent {}

  /** An operator asked for a restart: {@code slots} are replaced one at a time, in this order. */
  record RestartStarted(String name, List<Integer> slots, Instant at) implements HostedEvent {
    public RestartStarted {
      slots = List.copyOf(slots);
    }
  }

  /** Every slot of the restart has a ready pod of its new generation (or failed). */
  record RestartFinished(String name, Instant at) implements HostedEvent {}

  /** An operator deleted the service: {@code pods} are deleted, then the service ends. */
  record DeletionStarted(String name, List<String> pods, Instant at) implements HostedEvent {
    public DeletionStarted {
      pods = List.copyOf(pods);
    }
  }

  /** While deleting: the pod is gone from the API server. */
  record PodRemoved(String name, String podName, Instant at) implements HostedEvent {}

  /** Every pod is gone: the service has ended and its name is free. */
  record HostedDeleted(String name, Instant at) implements HostedEvent {}
}
