package dev.tugboat.protocol.hosted;

import dev.tugboat.protocol.CborSerializable;
import java.util.List;

/**
 * A hosted service as every node's proxy needs it, published by its entity to all nodes (its
 * owner, its ports in declaration order and the replicas ready now: id = pod name, host = pod IP).
 */
public record HostedEndpoint(String name, String owner, List<PublishedPort> ports, List<ReadyReplica> ready)
    implements CborSerializable {

  public HostedEndpoint {
    ports = List.copyOf(ports);
    ready = List.copyOf(ready);
  }

  /** A replica in the rotation: its pod name and its pod IP. */
  public record ReadyReplica(String id, String host) implements CborSerializable {}
}
