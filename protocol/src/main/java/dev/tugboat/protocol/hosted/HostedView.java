package dev.tugboat.protocol.hosted;

import dev.tugboat.protocol.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A hosted service as HTTP shows it: its spec, its phase (what the entity is doing), its status
 * merged lowest-wins over the replicas' ({@link HostedStatus}), how many replicas it wants now,
 * and each replica.
 */
public record HostedView(
    HostedSpec spec,
    Phase phase,
    HostedStatus status,
    int desiredReplicas,
    List<ReplicaView> replicas,
    Instant createdAt,
    Instant updatedAt) implements CborSerializable {

  public HostedView {
    replicas = List.copyOf(replicas);
  }

  /** ACTIVE: runs and scales; RESTARTING: replaces its replicas one at a time; DELETING: removes its pods. */
  public enum Phase { ACTIVE, RESTARTING, DELETING }

  /**
   * One replica slot: its current pod, that pod's status, whether it is in the proxy's rotation
   * (ready, with an IP), how many times it was replaced after a failure, and why it failed.
   */
  public record ReplicaView(int slot, long generation, String podName, HostedStatus status, boolean ready,
                            String podIp, int restarts, String failure) implements CborSerializable {}
}
