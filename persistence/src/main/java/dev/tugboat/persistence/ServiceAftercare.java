package dev.tugboat.persistence;

import dev.tugboat.persistence.ServiceCalls.DeleteReplied;
import dev.tugboat.persistence.ServiceCalls.ReportReplied;
import dev.tugboat.persistence.ServiceEntity.DeleteDue;
import dev.tugboat.persistence.ServiceEntity.LingerOver;
import dev.tugboat.persistence.ServiceEntity.Remove;
import dev.tugboat.persistence.ServiceEntity.Removed;
import dev.tugboat.persistence.ServiceEvent.PodDeleted;
import dev.tugboat.persistence.ServiceEvent.PodDeletionAbandoned;
import dev.tugboat.persistence.ServiceEvent.SimulationNotified;
import dev.tugboat.persistence.ServiceState.Deleted;
import dev.tugboat.persistence.ServiceState.Ended;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.service.ServiceCommand;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * What a ServiceEntity does once its model has ended (Terminated, Failed, Deleted): report the end
 * to its simulation until it answers, delete the pod at deleteAt (bounded by delete-max-attempts),
 * remove its journal when its simulation asks, and stop. The lifecycle stays the entity's
 * ServiceState; this holds only what is in flight (ReportClock, DeleteClock, WindDown). Mutable,
 * confined to its entity's actor.
 */
final class ServiceAftercare {
  /** Longest single timer: pekko's scheduler refuses delays beyond ~248 days; the tick re-checks. */
  private static final Duration MAX_TIMER = Duration.ofDays(1);

  private final ServiceId serviceId;
  private final String persistenceId;
  private final EntitySettings settings;
  private final ActorContext<ServiceCommand> ctx;
  private final TimerScheduler<ServiceCommand> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ServiceCalls calls;
  private final EntityRemoval removal;
  private final EffectFactories<ServiceEvent, ServiceState> effect;

  private ReportClock reportClock = ReportClock.idle();
  private DeleteClock deleteClock = DeleteClock.idle();
  private WindDown windDown = WindDown.start();

  ServiceAftercare(ServiceId serviceId, String persistenceId, EntitySettings settings,
      ActorContext<ServiceCommand> ctx, TimerScheduler<ServiceCommand> timers,
      ActorRef<ClusterSharding.ShardCommand> shard, ServiceCalls calls, EntityRemoval removal,
      EffectFactories<ServiceEvent, ServiceState> effect) {
    this.serviceId = serviceId;
    this.persistenceId = persistenceId;
    this.settings = settings;
    this.ctx = ctx;
    this.timers = timers;
    this.shard = shard;
    this.calls = calls;
    this.removal = removal;
    this.effect = effect;
  }

  /** Persists {@code event}, then does what the ended service it may have become owes. */
  EffectBuilder<ServiceEvent, ServiceState> persist(ServiceEvent event) {
    return effect.persist(event).thenRun(this::duties);
  }

  /** An ended service recovered: a Deleted one's pod went before, nothing to wait for again. */
  void recovered(ServiceState state) {
    windDown = WindDown.recovered(state);
    duties(state);
  }

  /**
   * What an ended service owes, after recovery, each persisted change, each tick and the deletion
   * deadline: its end reported until the simulation answers, its pod deleted at deleteAt, then its
   * stop. A service removing its journal owes nothing more; any other state owes nothing yet.
   */
  void duties(ServiceState state) {
    if (windDown.removing() || !(state instanceof Ended ended)) {
      return;
    }
    Instant now = settings.clock().instant();
    if (!ended.simulationNotified() && reportClock.due(now, settings.reportRetry())) {
      reportClock = reportClock.sent(now);
      calls.reportEnd(ended.ending());
    }
    ServiceState.deleteAt(state).ifPresent(deadline -> {
      if (deadline.isAfter(now)) {
        if (!timers.isTimerActive(DeleteDue.INSTANCE)) {
          Duration wait = Duration.between(now, deadline);
          timers.startSingleTimer(DeleteDue.INSTANCE, wait.compareTo(MAX_TIMER) > 0 ? MAX_TIMER : wait);
        }
      } else if (deleteClock.due(now, settings.createRetryAfter())) {
        deleteClock = deleteClock.sent(now);
        ctx.getLog().info("service {}: retention over, deleting pod {}", serviceId, ended.spec().podName());
        calls.deletePod(ended.spec().podName());
      }
    });
    stopIfDone(state, false);
  }

  ReplyEffect<ServiceEvent, ServiceState> reportReplied(Ended state, ReportReplied msg) {
    reportClock = reportClock.answered();
    Instant now = settings.clock().instant();
    if (state.simulationNotified() || windDown.removing()) {
      return effect.none().thenNoReply();
    }
    if (msg.reply() instanceof CommandReply.Accepted) {
      return persist(new SimulationNotified(serviceId, true, "", now)).thenNoReply();
    }
    if (msg.reply() instanceof CommandReply.Rejected r) {
      // The simulation does not know this model: re-sending cannot change that.
      ctx.getLog().error("service {}: simulation rejected the termination report: {}", serviceId, r.reason());
      return persist(new SimulationNotified(serviceId, false, r.reason(), now)).thenNoReply();
    }
    ctx.getLog().debug("service {}: termination report unanswered ({}), retrying", serviceId, msg.failure());
    return effect.none().thenNoReply();
  }

  ReplyEffect<ServiceEvent, ServiceState> deleteReplied(Ended state, DeleteReplied msg) {
    boolean deleted = msg.result() instanceof PodCallResult.Succeeded;
    if (state instanceof Deleted) {
      deleteClock = deleteClock.answered();
      return effect.none().thenNoReply();
    }
    deleteClock = deleted ? deleteClock.answered() : deleteClock.failed();
    String podName = state.spec().podName();
    Instant now = settings.clock().instant();
    if (deleted) {
      ctx.getLog().info("service {}: pod {} deleted", serviceId, podName);
      return persist(new PodDeleted(serviceId, podName, now)).thenNoReply();
    }
    String why = msg.result() instanceof PodCallResult.Failed f ? f.reason() : msg.failure();
    if (deleteClock.exhausted(settings.deleteMaxAttempts())) {
      ctx.getLog().error("service {}: giving up deleting pod {} after {} failures: {}", serviceId, podName,
          deleteClock.failures(), why);
      return persist(new PodDeletionAbandoned(serviceId, podName,
          deleteClock.failures() + " failed attempts, last: " + why, now)).thenNoReply();
    }
    if (msg.result() == null) {
      // Unanswered is not failed: deletes wait their turn at the gateway's pace (a large simulation's
      // take longer than one ask), and the ask on the next tick joins the queued call, keeping its place.
      ctx.getLog().info("service {}: delete of pod {} not answered yet ({} of {} asks; deletes are paced by "
          + "tugboat.kubernetes.deletes.qps), asking again on the next tick", serviceId, podName,
          deleteClock.failures(), settings.deleteMaxAttempts());
    } else {
      ctx.getLog().warn("service {}: deleting pod {} failed ({}), retrying on the next tick", serviceId, podName,
          why);
    }
    return effect.none().thenNoReply();
  }

  /** The informer saw the pod go: a deleted, acknowledged service may stop. */
  ReplyEffect<ServiceEvent, ServiceState> podGone(Ended state) {
    windDown = windDown.podGone();
    stopIfDone(state, false);
    return effect.none().thenNoReply();
  }

  ReplyEffect<ServiceEvent, ServiceState> lingerOver(Ended state) {
    stopIfDone(state, true);
    return effect.none().thenNoReply();
  }

  /**
   * Removes the journal of a service whose pod is deleted; any earlier phase still owns a pod (or
   * may yet create one), and a service forgotten then would orphan it.
   */
  ReplyEffect<ServiceEvent, ServiceState> remove(ServiceState state, Remove cmd) {
    if (!(state instanceof Deleted)) {
      String phase = ServiceState.view(state).map(v -> v.phase().name()).orElse("unknown");
      return effect.none().thenReply(cmd.replyTo(), st -> new CommandReply.Rejected(
          "service " + serviceId + " still owns its pod (phase " + phase + ")"));
    }
    windDown = windDown.removing(true);
    ctx.pipeToSelf(removal.remove(persistenceId),
        (events, failure) -> new Removed(cmd.replyTo(), failure == null ? null : String.valueOf(failure.getMessage())));
    return effect.none().thenNoReply();
  }

  ReplyEffect<ServiceEvent, ServiceState> removed(Removed msg) {
    if (msg.failure() != null) {
      windDown = windDown.removing(false);
      ctx.getLog().warn("service {}: journal not removed ({}); its simulation asks again", serviceId, msg.failure());
      return effect.none().thenReply(msg.replyTo(), st -> new CommandReply.Rejected(msg.failure()));
    }
    ctx.getLog().debug("service {}: removed from the journal (its simulation's retention is over)", serviceId);
    return effect.none().thenRun(st -> passivate())
        .thenReply(msg.replyTo(), st -> new CommandReply.Accepted("removed"));
  }

  /** Asks the shard to passivate this incarnation, once. */
  void passivate() {
    if (!windDown.passivating()) {
      windDown = windDown.passivated();
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
  }

  private void stopIfDone(ServiceState state, boolean lingerOver) {
    switch (windDown.next(state, lingerOver)) {
      case STOP -> {
        timers.cancel(LingerOver.INSTANCE);
        passivate();
      }
      case LINGER -> {
        if (!timers.isTimerActive(LingerOver.INSTANCE)) {
          timers.startSingleTimer(LingerOver.INSTANCE, settings.deletedLinger());
        }
      }
      case STAY -> { }
    }
  }
}
