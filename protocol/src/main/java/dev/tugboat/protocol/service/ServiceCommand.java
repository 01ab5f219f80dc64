package dev.tugboat.protocol.service;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Commands of the Service entity (one deployed model = one pod). Pod observations come from
 * the KubernetesGateway; everything is idempotent.
 */
public sealed interface ServiceCommand {

  /** From the Simulation: run this model. Accepted once persisted; a repeat is accepted again. */
  record Create(ServiceSpec spec, ActorRef<CommandReply> replyTo) implements ServiceCommand, CborSerializable {}

  /** The pod as the gateway's informer (or cache lookup) last saw it. */
  record PodObserved(PodSnapshot pod) implements ServiceCommand, CborSerializable {}

  /**
   * The informer saw the pod go from the API server (whoever deleted it; not the service's own
   * journaled {@code PodDeleted} event). finalStateUnknown: the watch missed the deletion, so
   * {@code lastKnown} may be stale.
   */
  record PodGone(String podName, boolean finalStateUnknown, PodSnapshot lastKnown)
      implements ServiceCommand, CborSerializable {}

  /** The current state, for HTTP. Replies Found or NotFound; never creates a service. */
  record Get(ActorRef<ServiceReply> replyTo) implements ServiceCommand, CborSerializable {}

  /** Operator action on a HELD service: try again from where it stopped. Rejected in other states. */
  record Retry(ActorRef<CommandReply> replyTo) implements ServiceCommand, CborSerializable {}

  /**
   * Operator action on a HELD service: give up, reporting it FAILED to the SO with the reason.
   * Rejected in other states.
   */
  record Abandon(String reason, ActorRef<CommandReply> replyTo) implements ServiceCommand, CborSerializable {}

  /**
   * From its simulation, which an operator terminated: end now. A service that has not ended
   * records FAILED with {@code ExitCodes.TERMINATED} and deletes its pod at once (keepLogsHours
   * does not apply); one never asked to run records the same from {@code spec}, so a late Create
   * cannot start it. Replies Accepted (also when it had ended already), Rejected for a spec of
   * another service.
   */
  record Terminate(ServiceSpec spec, String reason, ActorRef<CommandReply> replyTo)
      implements ServiceCommand, CborSerializable {}

  /** Messages the Service entity sends itself (ticks, async results); declared with the entity. */
  non-sealed interface Private extends ServiceCommand {}
}
