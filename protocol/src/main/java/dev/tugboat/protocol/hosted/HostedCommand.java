package dev.tugboat.protocol.hosted;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.CommandReply;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Commands of a hosted service (a long-lived workload with replicas and published ports; the
 * entity id is its name). Create, Delete and Restart reply a {@link CommandReply}; Get a
 * {@link HostedReply}; pod observations come from the KubernetesGateway and load reports from
 * the proxies of every node.
 */
public sealed interface HostedCommand {

  /**
   * Run this service. Accepted when it is new (also after an earlier one of the name was
   * deleted), Duplicate for the same spec again, Conflict for another spec of an existing name or
   * one being deleted, Rejected for an invalid spec or a spec of another name.
   */
  record Create(HostedSpec spec, ActorRef<CommandReply> replyTo) implements HostedCommand, CborSerializable {}

  /** The current state. Replies Found or NotFound; never creates a service. */
  record Get(ActorRef<HostedReply> replyTo) implements HostedCommand, CborSerializable {}

  /**
   * Remove all pods, then end (the name is free again). Accepted (also while deleting already),
   * Rejected when there is no such service.
   */
  record Delete(ActorRef<CommandReply> replyTo) implements HostedCommand, CborSerializable {}

  /**
   * Replace every replica with a new pod, one at a time (the others keep serving). Accepted;
   * Conflict while a restart or the deletion runs; Rejected when there is no such service.
   */
  record Restart(ActorRef<CommandReply> replyTo) implements HostedCommand, CborSerializable {}

  /**
   * From the proxy of {@code node}: requests in flight there now, per replica (pod name). The
   * entity keeps the latest report per node, stale after a few seconds, and scales on the sum.
   */
  record ReportLoad(String node, Map<String, Integer> inFlightByReplica) implements HostedCommand, CborSerializable {
    public ReportLoad {
      inFlightByReplica = Map.copyOf(inFlightByReplica);
    }
  }

  /** One of the service's pods as the gateway's informer saw it. */
  record PodObserved(HostedPod pod) implements HostedCommand, CborSerializable {}

  /** One of the service's pods is gone from the API server (whoever deleted it). */
  record PodGone(HostedPod lastKnown) implements HostedCommand, CborSerializable {}

  /** Messages the entity sends itself (ticks, call results); declared with the entity. */
  non-sealed interface Private extends HostedCommand {}
}
