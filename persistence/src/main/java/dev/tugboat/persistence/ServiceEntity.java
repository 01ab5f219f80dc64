package dev.tugboat.persistence;

import dev.tugboat.persistence.ServiceCalls.CreatePodReplied;
import dev.tugboat.persistence.ServiceCalls.DeleteReplied;
import dev.tugboat.persistence.ServiceCalls.LogRead;
import dev.tugboat.persistence.ServiceCalls.LookupReplied;
import dev.tugboat.persistence.ServiceCalls.ReportReplied;
import dev.tugboat.persistence.ServiceEvent.PodCreationStarted;
import dev.tugboat.persistence.ServiceEvent.ServiceRequested;
import dev.tugboat.persistence.ServiceState.Created;
import dev.tugboat.persistence.ServiceState.Creating;
import dev.tugboat.persistence.ServiceState.Deleted;
import dev.tugboat.persistence.ServiceState.Empty;
import dev.tugboat.persistence.ServiceState.Ended;
import dev.tugboat.persistence.ServiceState.Failed;
import dev.tugboat.persistence.ServiceState.Held;
import dev.tugboat.persistence.ServiceState.Queued;
import dev.tugboat.persistence.ServiceState.Requested;
import dev.tugboat.persistence.ServiceState.Running;
import dev.tugboat.persistence.ServiceState.Terminated;
import dev.tugboat.persistence.ServiceState.WithSpec;
import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceCommand.Abandon;
import dev.tugboat.protocol.service.ServiceCommand.Create;
import dev.tugboat.protocol.service.ServiceCommand.Get;
import dev.tugboat.protocol.service.ServiceCommand.PodGone;
import dev.tugboat.protocol.service.ServiceCommand.PodObserved;
import dev.tugboat.protocol.service.ServiceCommand.Retry;
import dev.tugboat.protocol.service.ServiceCommand.Terminate;
import dev.tugboat.protocol.service.ServiceReply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One deployed model = one pod: creates it through the KubernetesGateway, follows it from the
 * gateway's observations (and its own cache lookups on the tick), records how the model ended
 * with its last log lines, reports the end to its simulation until accepted, and deletes the pod
 * after keepLogsHours. A create waiting for admission is Queued (no failure clock); with
 * hold-on-failure a create that ran out of retries is Held for an operator's Retry/Abandon. Create,
 * Retry and Abandon reply Accepted/Rejected; Get replies Found/NotFound.
 *
 * <p>The lifecycle is the persisted {@link ServiceState}; this class routes each phase's commands.
 * The pod's creation is {@link PodCreation}'s, following the pod while the model runs
 * {@link PodObservations}', an operator's stop {@link ServiceStop}'s, what follows the model's end
 * {@link ServiceAftercare}'s, and the calls out {@link ServiceCalls}'; what is in flight is kept in
 * small immutable parts (docs/state-machines.md, *ServiceEntity*).
 */
public final class ServiceEntity
    extends EventSourcedBehaviorWithEnforcedReplies<ServiceCommand, ServiceEvent, ServiceState> {

  public static final EntityTypeKey<ServiceCommand> ENTITY_KEY = EntityTypeKey.create(ServiceCommand.class, "Service");

  /** Drives retries (create, report, delete) and cache lookups. */
  enum ServiceTick implements ServiceCommand.Private, CborSerializable { INSTANCE }

  /** The deletion deadline has come. */
  enum DeleteDue implements ServiceCommand.Private, CborSerializable { INSTANCE }

  /** A deleted service's pod deletion was not seen within deleted-linger: stop anyway. */
  enum LingerOver implements ServiceCommand.Private, CborSerializable { INSTANCE }

  /**
   * From its simulation, once the simulation's ended-retention is over: remove this service's journal
   * if its pod is deleted. Replies Accepted once the rows are gone (or there were none: Empty),
   * Rejected while the service still owns a pod (any phase before Deleted) or when the removal failed.
   */
  record Remove(ActorRef<CommandReply> replyTo) implements ServiceCommand.Private, CborSerializable {}

  /** The removal of this service's journal rows finished (failure set when it failed). */
  record Removed(ActorRef<CommandReply> replyTo, String failure) implements ServiceCommand.Private, CborSerializable {}

  private final ServiceId serviceId;
  private final EntitySettings settings;
  private final ActorContext<ServiceCommand> ctx;
  private final ServiceCalls calls;
  private final ServiceAftercare aftercare;
  private final PodCreation creation;
  private final ServiceStop stop;

  private final PodObservations pod;

  private ServiceEntity(ServiceId serviceId, EntityDirectory directory, ActorRef<KubernetesCommand> gateway,
      EntitySettings settings, EntityRemoval removal, ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<ServiceCommand> ctx, TimerScheduler<ServiceCommand> timers) {
    super(PersistenceId.of(ENTITY_KEY.name(), serviceId.entityId()),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.serviceId = serviceId;
    this.settings = settings;
    this.ctx = ctx;
    this.calls = new ServiceCalls(serviceId, ctx, gateway, directory, settings);
    this.aftercare = new ServiceAftercare(serviceId, persistenceId().id(), settings, ctx, timers, shard, calls,
        removal, Effect());
    this.creation = new PodCreation(serviceId, settings, ctx, calls, aftercare, Effect());
    this.stop = new ServiceStop(serviceId, settings, ctx, aftercare, Effect());
    this.pod = new PodObservations(serviceId, settings, ctx, calls, aftercare, Effect());
  }

  /**
   * Starts sharding for services on this node; returns the shard region. {@code journal} removes a
   * service's rows when its simulation's retention is over.
   */
  public static ActorRef<ShardingEnvelope<ServiceCommand>> init(ActorSystem<?> system, EntityDirectory directory,
      ActorRef<KubernetesCommand> gateway, EntitySettings settings, JournalQueries journal) {
    return ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
        entityContext -> create(ServiceId.fromEntityId(entityContext.getEntityId()), directory, gateway, settings,
            journal.services(), entityContext.getShard())));
  }

  /**
   * The behavior of one service without journal removal (a Remove is refused); {@code shard}
   * receives its Passivate requests.
   */
  public static Behavior<ServiceCommand> create(ServiceId serviceId, EntityDirectory directory,
      ActorRef<KubernetesCommand> gateway, EntitySettings settings, ActorRef<ClusterSharding.ShardCommand> shard) {
    return create(serviceId, directory, gateway, settings, NO_REMOVAL, shard);
  }

  /** Refuses every removal: for a service behavior that has no journal access. */
  static final EntityRemoval NO_REMOVAL = persistenceId -> CompletableFuture.failedFuture(
      new UnsupportedOperationException("no journal removal configured"));

  static Behavior<ServiceCommand> create(ServiceId serviceId, EntityDirectory directory,
      ActorRef<KubernetesCommand> gateway, EntitySettings settings, EntityRemoval removal,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(ServiceTick.INSTANCE, settings.serviceTick());
      return Behaviors.setup(ctx -> new ServiceEntity(serviceId, directory, gateway, settings, removal, shard, ctx,
          timers));
    });
  }

  @Override
  public ServiceState emptyState() {
    return new Empty(serviceId);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.disabled();
  }

  /**
   * A service journals a handful of events in its whole life, so a snapshot never pays for itself,
   * while looking one up cost every recovery (every service start, every failover) one of its three
   * queries. Recovery replays the events alone; snapshots that earlier versions saved (every 100
   * events, no events deleted) are ignored.
   */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public EventHandler<ServiceState, ServiceEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(ServiceState::apply);
  }

  @Override
  public SignalHandler<ServiceState> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::recovered).build();
  }

  /**
   * After a restart (a failover, a rebalance) the pod may have moved on while nobody listened: the
   * informer forwards changes only to services of the node's own shards. So a service that is not
   * over yet asks its node's informer cache at once, instead of on its first tick (service-tick later).
   */
  private void recovered(ServiceState state) {
    if (state instanceof Requested || state instanceof Creating || state instanceof Queued) {
      ctx.getLog().info("service {}: recovered while creating its pod, sending CreatePod again", serviceId);
      creation.send(((WithSpec) state).spec());
      pod.lookup(((WithSpec) state).spec());
    } else if (state instanceof Held h) {
      ctx.getLog().warn("service {}: recovered HELD ({}), waiting for an operator's retry or abandon", serviceId,
          h.reason());
    } else if (state instanceof Created || state instanceof Running) {
      pod.lookup(((WithSpec) state).spec());
    } else {
      aftercare.recovered(state);
    }
  }

  @Override
  public CommandHandlerWithReply<ServiceCommand, ServiceEvent, ServiceState> commandHandler() {
    return emptyHandlers()
        .orElse(creatingHandlers(Requested.class))
        .orElse(creatingHandlers(Creating.class))
        .orElse(creatingHandlers(Queued.class))
        .orElse(heldHandlers())
        .orElse(createdHandlers(Created.class))
        .orElse(createdHandlers(Running.class))
        .orElse(endedHandlers(Terminated.class))
        .orElse(endedHandlers(Failed.class))
        .orElse(endedHandlers(Deleted.class))
        .orElse(anyStateHandlers())
        .build();
  }

  // ---------------------------------------------------------------- Empty

  private CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, Empty, ServiceState> emptyHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Empty.class)
        .onCommand(Create.class, this::createOnEmpty)
        .onCommand(Terminate.class, stop::terminate)
        .onCommand(Get.class, c -> Effect().none().thenRun(aftercare::passivate)
            .thenReply(c.replyTo(), s -> new ServiceReply.NotFound(serviceId)))
        .onCommand(Retry.class, c -> Effect().none().thenRun(aftercare::passivate)
            .thenReply(c.replyTo(), s -> new CommandReply.Rejected("service " + serviceId + " does not exist")))
        .onCommand(Abandon.class, c -> Effect().none().thenRun(aftercare::passivate)
            .thenReply(c.replyTo(), s -> new CommandReply.Rejected("service " + serviceId + " does not exist")))
        // Never journaled, or removed by an earlier incarnation (a crash before its simulation heard).
        .onCommand(Remove.class, c -> Effect().none().thenRun(aftercare::passivate)
            .thenReply(c.replyTo(), s -> new CommandReply.Accepted("no journal")))
        .onCommand(ServiceCommand.class, c -> {
          // An observation of a pod nobody asked this node to create (or a stale private message).
          ctx.getLog().debug("service {}: {} ignored, service never requested", serviceId,
              c.getClass().getSimpleName());
          return Effect().none().thenRun(aftercare::passivate).thenNoReply();
        });
  }

  private ReplyEffect<ServiceEvent, ServiceState> createOnEmpty(Empty state, Create cmd) {
    if (!cmd.spec().serviceId().equals(serviceId)) {
      return Effect().none().thenReply(cmd.replyTo(),
          s -> new CommandReply.Rejected("spec of " + cmd.spec().serviceId() + " sent to service " + serviceId));
    }
    Instant now = settings.clock().instant();
    ctx.getLog().info("service {}: requested, creating pod {}", serviceId, cmd.spec().podName());
    return Effect()
        .persist(List.of(new ServiceRequested(serviceId, cmd.spec(), now),
            new PodCreationStarted(serviceId, cmd.spec().podName(), now)))
        .thenRun((ServiceState s) -> creation.send(cmd.spec()))
        .thenReply(cmd.replyTo(), s -> CommandReply.accepted());
  }

  // ---------------------------------------------------------------- Requested / Creating / Queued, Held

  private <S extends WithSpec> CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, S, ServiceState>
      creatingHandlers(Class<S> type) {
    return newCommandHandlerWithReplyBuilder().forStateType(type)
        .onCommand(CreatePodReplied.class, creation::replied)
        .onCommand(ServiceTick.class, (s, c) -> creation.tick(s))
        .onCommand(PodObserved.class, (s, c) -> pod.observed(s, c.pod()))
        .onCommand(PodGone.class, pod::podGone)
        .onCommand(LogRead.class, pod::logRead)
        // The lookup made on recovery: a pod in the cache is an observation; no pod is no news yet.
        .onCommand(LookupReplied.class, pod::lookupRepliedWhileCreating);
  }

  private CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, Held, ServiceState> heldHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Held.class)
        .onCommand(Retry.class, creation::retry)
        .onCommand(Abandon.class, creation::abandon)
        // The pod may exist after all (a late answer to an earlier CreatePod, or the informer saw it).
        .onCommand(CreatePodReplied.class, creation::repliedWhileHeld)
        .onCommand(PodObserved.class, (s, c) -> pod.observed(s, c.pod()));
  }

  // ---------------------------------------------------------------- Created / Running

  private <S extends WithSpec> CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, S, ServiceState>
      createdHandlers(Class<S> type) {
    return newCommandHandlerWithReplyBuilder().forStateType(type)
        .onCommand(PodObserved.class, (s, c) -> pod.observed(s, c.pod()))
        .onCommand(PodGone.class, pod::podGone)
        .onCommand(LogRead.class, pod::logRead)
        .onCommand(LookupReplied.class, pod::lookupReplied)
        .onCommand(ServiceTick.class, (s, c) -> pod.tick(s))
        .onCommand(CreatePodReplied.class, () -> Effect().none().thenNoReply());
  }

  // ---------------------------------------------------------------- Terminated / Failed / Deleted

  private <S extends Ended> CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, S, ServiceState>
      endedHandlers(Class<S> type) {
    return newCommandHandlerWithReplyBuilder().forStateType(type)
        .onCommand(ReportReplied.class, aftercare::reportReplied)
        .onCommand(DeleteReplied.class, aftercare::deleteReplied)
        .onCommand(DeleteDue.class, () -> Effect().none().thenRun(aftercare::duties).thenNoReply())
        .onCommand(ServiceTick.class, () -> Effect().none().thenRun(aftercare::duties).thenNoReply())
        .onCommand(LingerOver.class, (s, c) -> aftercare.lingerOver(s))
        // The pod's deletion seen lets a deleted service stop; late observations, log reads and
        // lookups change nothing once the model has ended.
        .onCommand(PodGone.class, (s, c) -> aftercare.podGone(s))
        .onCommand(PodObserved.class, () -> Effect().none().thenNoReply())
        .onCommand(CreatePodReplied.class, () -> Effect().none().thenNoReply())
        .onCommand(LookupReplied.class, () -> {
          pod.lookupAnswered();
          return Effect().none().thenNoReply();
        })
        .onCommand(LogRead.class, () -> {
          pod.logReadOver();
          return Effect().none().thenNoReply();
        });
  }

  // ---------------------------------------------------------------- any state

  private CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, ServiceState, ServiceState>
      anyStateHandlers() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Create.class, (s, c) -> {
          boolean same = s instanceof WithSpec ws && ws.spec().equals(c.spec());
          return Effect().none().thenReply(c.replyTo(), st -> same
              ? new CommandReply.Accepted("already requested")
              : new CommandReply.Rejected("service " + serviceId + " exists with a different spec"));
        })
        .onCommand(Get.class, (s, c) -> Effect().none().thenReply(c.replyTo(),
            st -> ServiceState.view(st).<ServiceReply>map(ServiceReply.Found::new)
                .orElseGet(() -> new ServiceReply.NotFound(serviceId))))
        .onCommand(Retry.class, (s, c) -> Effect().none().thenReply(c.replyTo(), st -> notHeld(st)))
        .onCommand(Abandon.class, (s, c) -> Effect().none().thenReply(c.replyTo(), st -> notHeld(st)))
        .onCommand(Remove.class, aftercare::remove)
        .onCommand(Terminate.class, stop::terminate)
        .onCommand(Removed.class, (s, c) -> aftercare.removed(c))
        .onCommand(ServiceCommand.class, c -> {
          if (c instanceof LookupReplied) {
            pod.lookupAnswered();
          }
          return Effect().none().thenNoReply();
        });
  }

  private CommandReply notHeld(ServiceState state) {
    String phase = ServiceState.view(state).map(v -> v.phase().name()).orElse("unknown");
    return new CommandReply.Rejected("service " + serviceId + " is not held (phase " + phase + ")");
  }
}
