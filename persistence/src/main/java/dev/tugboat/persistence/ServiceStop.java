package dev.tugboat.persistence;

import dev.tugboat.persistence.ServiceEvent.ServiceRequested;
import dev.tugboat.persistence.ServiceState.Ended;
import dev.tugboat.persistence.ServiceState.WithSpec;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceCommand.Terminate;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A service's answer to its simulation's Terminate (an operator ended the simulation): a model
 * that has not ended is recorded FAILED ({@link ServiceEndings#terminated}) and its pod deleted at
 * once through {@link ServiceAftercare}, which also reports the end; a service never asked to run
 * records the same from the spec the simulation sent, so a Create still in flight finds it ended.
 * An ended service changes nothing. Holds no state.
 */
final class ServiceStop {
  private final ServiceId serviceId;
  private final EntitySettings settings;
  private final ActorContext<ServiceCommand> ctx;
  private final ServiceAftercare aftercare;
  private final EffectFactories<ServiceEvent, ServiceState> effect;

  ServiceStop(ServiceId serviceId, EntitySettings settings, ActorContext<ServiceCommand> ctx,
      ServiceAftercare aftercare, EffectFactories<ServiceEvent, ServiceState> effect) {
    this.serviceId = serviceId;
    this.settings = settings;
    this.ctx = ctx;
    this.aftercare = aftercare;
    this.effect = effect;
  }

  ReplyEffect<ServiceEvent, ServiceState> terminate(ServiceState state, Terminate cmd) {
    if (!cmd.spec().serviceId().equals(serviceId)) {
      return effect.none().thenReply(cmd.replyTo(),
          s -> new CommandReply.Rejected("spec of " + cmd.spec().serviceId() + " sent to service " + serviceId));
    }
    if (state instanceof Ended) {
      return effect.none().thenReply(cmd.replyTo(), s -> new CommandReply.Accepted("already ended"));
    }
    Instant now = settings.clock().instant();
    String reason = cmd.reason() == null || cmd.reason().isBlank() ? "terminated" : cmd.reason();
    if (state instanceof WithSpec ws) {
      if (!ws.spec().equals(cmd.spec())) {
        return effect.none().thenReply(cmd.replyTo(),
            s -> new CommandReply.Rejected("service " + serviceId + " exists with a different spec"));
      }
      ctx.getLog().info("service {}: FAILED, {}; deleting pod {} now", serviceId, Ids.printable(reason),
          ws.spec().podName());
      return aftercare.persist(ServiceEndings.terminated(ws.spec(), reason, now))
          .thenReply(cmd.replyTo(), s -> CommandReply.accepted());
    }
    ServiceSpec spec = cmd.spec();
    ctx.getLog().info("service {}: FAILED before it was requested, {}", serviceId, Ids.printable(reason));
    return effect.persist(List.of(new ServiceRequested(serviceId, spec, now),
            ServiceEndings.terminated(spec, reason, now)))
        .thenRun(aftercare::duties)
        .thenReply(cmd.replyTo(), s -> CommandReply.accepted());
  }
}
