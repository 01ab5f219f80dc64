package dev.tugboat.persistence;

import dev.tugboat.persistence.ServiceCalls.CreatePodReplied;
import dev.tugboat.persistence.ServiceEvent.CreationQueued;
import dev.tugboat.persistence.ServiceEvent.HoldReleased;
import dev.tugboat.persistence.ServiceEvent.PodCreated;
import dev.tugboat.persistence.ServiceEvent.PodCreationStarted;
import dev.tugboat.persistence.ServiceEvent.ServiceHeld;
import dev.tugboat.persistence.ServiceState.Held;
import dev.tugboat.persistence.ServiceState.Queued;
import dev.tugboat.persistence.ServiceState.Requested;
import dev.tugboat.persistence.ServiceState.WithSpec;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceCommand.Abandon;
import dev.tugboat.protocol.service.ServiceCommand.Retry;
import java.time.Instant;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * How a ServiceEntity creates its pod while Requested, Creating or Queued, and leaves Held: CreatePod
 * sent, re-sent on the CreateClock and answered by the gateway (Queued, Succeeded, Failed), a
 * bounded retry that ends FAILED or HELD, and the operator's Retry or Abandon. The lifecycle stays
 * the entity's ServiceState; this holds only the CreateClock. Mutable, confined to its entity's actor.
 */
final class PodCreation {
  private final ServiceId serviceId;
  private final EntitySettings settings;
  private final ActorContext<ServiceCommand> ctx;
  private final ServiceCalls calls;
  private final ServiceAftercare aftercare;
  private final EffectFactories<ServiceEvent, ServiceState> effect;

  private CreateClock clock = CreateClock.idle();

  PodCreation(ServiceId serviceId, EntitySettings settings, ActorContext<ServiceCommand> ctx, ServiceCalls calls,
      ServiceAftercare aftercare, EffectFactories<ServiceEvent, ServiceState> effect) {
    this.serviceId = serviceId;
    this.settings = settings;
    this.ctx = ctx;
    this.calls = calls;
    this.aftercare = aftercare;
    this.effect = effect;
  }

  void send(ServiceSpec spec) {
    clock = clock.sent(settings.clock().instant());
    calls.createPod(spec);
  }

  ReplyEffect<ServiceEvent, ServiceState> replied(WithSpec state, CreatePodReplied msg) {
    Instant now = settings.clock().instant();
    if (msg.result() instanceof PodCallResult.Queued q) {
      // The gateway answers a repeat with Queued again without queueing twice.
      clock = clock.interimAnswer();
      if (state instanceof Queued) {
        return effect.none().thenNoReply();
      }
      ctx.getLog().info("service {}: CreatePod of {} queued for admission at position {}: {}", serviceId,
          state.spec().podName(), q.position(), q.reason());
      return effect.persist(new CreationQueued(serviceId, state.spec().podName(), q.position(), q.reason(), now))
          .thenNoReply();
    }
    clock = clock.answered();
    if (msg.result() instanceof PodCallResult.Succeeded) {
      ctx.getLog().info("service {}: pod {} created", serviceId, state.spec().podName());
      return effect.persist(new PodCreated(serviceId, state.spec().podName(), now)).thenNoReply();
    }
    PodCallResult.Failed f = (PodCallResult.Failed) msg.result();
    String reason = "pod not created: " + f.reason() + (f.httpStatus() == 0 ? "" : " (HTTP " + f.httpStatus() + ")");
    return fail(state, reason, now);
  }

  ReplyEffect<ServiceEvent, ServiceState> tick(WithSpec state) {
    Instant now = settings.clock().instant();
    if (clock.waiting(now, settings.createRetryAfter())) {
      return effect.none().thenNoReply();
    }
    if (clock.unanswered() >= settings.createMaxAttempts()) {
      return fail(state, "no answer from the Kubernetes gateway to " + clock.unanswered() + " CreatePod attempts",
          now);
    }
    if (state instanceof Queued) {
      ctx.getLog().debug("service {}: still queued for admission, sending CreatePod again", serviceId);
    } else {
      ctx.getLog().info("service {}: CreatePod unanswered, sending it again", serviceId);
    }
    if (state instanceof Requested) {
      return effect.persist(new PodCreationStarted(serviceId, state.spec().podName(), now))
          .thenRun((ServiceState s) -> send(state.spec()))
          .thenNoReply();
    }
    send(state.spec());
    return effect.none().thenNoReply();
  }

  /** A bounded creation retry ran out: FAILED and reported, or HELD for an operator (hold-on-failure). */
  private ReplyEffect<ServiceEvent, ServiceState> fail(WithSpec state, String reason, Instant now) {
    if (settings.holdOnFailure()) {
      ctx.getLog().error("service {}: HELD for an operator (retry or abandon): {}", serviceId, reason);
      return effect.persist(new ServiceHeld(serviceId, state.spec().podName(), reason, now)).thenNoReply();
    }
    ctx.getLog().warn("service {}: FAILED, {}", serviceId, reason);
    return aftercare.persist(ServiceEndings.notCreated(state.spec(), reason, now)).thenNoReply();
  }

  /** A late answer to an earlier CreatePod: the pod may exist after all. */
  ReplyEffect<ServiceEvent, ServiceState> repliedWhileHeld(Held state, CreatePodReplied msg) {
    return msg.result() instanceof PodCallResult.Succeeded
        ? effect.persist(new PodCreated(serviceId, state.spec().podName(), settings.clock().instant())).thenNoReply()
        : effect.none().thenNoReply();
  }

  ReplyEffect<ServiceEvent, ServiceState> retry(Held state, Retry cmd) {
    ctx.getLog().info("service {}: operator retry of a held service, creating pod {} again", serviceId,
        state.spec().podName());
    return effect.persist(new HoldReleased(serviceId, state.spec().podName(), settings.clock().instant()))
        .thenRun((ServiceState s) -> {
          clock = CreateClock.idle();
          send(state.spec());
        })
        .thenReply(cmd.replyTo(), s -> CommandReply.accepted());
  }

  ReplyEffect<ServiceEvent, ServiceState> abandon(Held state, Abandon cmd) {
    String why = cmd.reason() == null || cmd.reason().isBlank() ? "no reason given" : cmd.reason();
    ctx.getLog().warn("service {}: FAILED, abandoned by operator: {} (held for: {})", serviceId, why,
        state.reason());
    return aftercare.persist(ServiceEndings.notCreated(state.spec(), "abandoned by operator: " + why,
        settings.clock().instant()))
        .thenReply(cmd.replyTo(), s -> CommandReply.accepted());
  }
}
