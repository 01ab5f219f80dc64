package dev.tugboat.persistence;

import dev.tugboat.persistence.ServiceCalls.CreatePodReplied;
import dev.tugboat.persistence.ServiceCalls.DeleteReplied;
import dev.tugboat.persistence.ServiceCalls.LogRead;
import dev.tugboat.persistence.ServiceCalls.LookupReplied;
import dev.tugboat.persistence.ServiceCalls.ReportReplied;
import dev.tugboat.persistence.ServiceEvent.PodCreated;
import dev.tugboat.persistence.ServiceEvent.PodCreationStarted;
import dev.tugboat.persistence.ServiceEvent.PodRunning;
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
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodLookupResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
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
 * <p>The lifecycle is the persisted {@link ServiceState}; this class routes each phase's commands
 * and follows the pod itself. The pod's creation is {@link PodCreation}'s, an operator's stop
 * {@link ServiceStop}'s, what follows the model's end {@link ServiceAftercare}'s, and the calls out {@link ServiceCalls}'; what is in flight is kept
 * in small immutable parts (docs/state-machines.md, *ServiceEntity*).
 */
public final class ServiceEntity
    extends EventSourcedBehaviorWithEnforcedReplies<ServiceCommand, ServiceEvent, ServiceState> {

  public static final EntityTypeKey<ServiceCommand> ENTITY_KEY = EntityTypeKey.create(ServiceCommand.class, "Service");

  /** Characters of one container log line shown in the node's log. */
  private static final int MAX_LOGGED_LINE = 2000;

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

  // What this incarnation knows of its pod beyond the journal: immutable parts, each replaced only
  // by this entity's actor, lost on restart (recovery looks the pod up again).
  private PodSighting sighting;
  private PodReads reads = PodReads.none();
  private LostNode lostNode = LostNode.none();
  private ImagePullWatch imagePull = ImagePullWatch.none();

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
    this.sighting = PodSighting.from(settings.clock().instant());
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
      lookup(((WithSpec) state).spec());
    } else if (state instanceof Held h) {
      ctx.getLog().warn("service {}: recovered HELD ({}), waiting for an operator's retry or abandon", serviceId,
          h.reason());
    } else if (state instanceof Created || state instanceof Running) {
      lookup(((WithSpec) state).spec());
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
        .onCommand(PodObserved.class, (s, c) -> observed(s, c.pod()))
        .onCommand(PodGone.class, this::podGone)
        .onCommand(LogRead.class, this::logRead)
        // The lookup made on recovery: a pod in the cache is an observation; no pod is no news yet.
        .onCommand(LookupReplied.class, (s, c) -> {
          reads = reads.lookupAnswered();
          return c.result() instanceof PodLookupResult.Present p ? observed(s, p.pod()) : Effect().none().thenNoReply();
        });
  }

  private CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, Held, ServiceState> heldHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Held.class)
        .onCommand(Retry.class, creation::retry)
        .onCommand(Abandon.class, creation::abandon)
        // The pod may exist after all (a late answer to an earlier CreatePod, or the informer saw it).
        .onCommand(CreatePodReplied.class, creation::repliedWhileHeld)
        .onCommand(PodObserved.class, (s, c) -> observed(s, c.pod()));
  }

  // ---------------------------------------------------------------- Created / Running

  private <S extends WithSpec> CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, S, ServiceState>
      createdHandlers(Class<S> type) {
    return newCommandHandlerWithReplyBuilder().forStateType(type)
        .onCommand(PodObserved.class, (s, c) -> observed(s, c.pod()))
        .onCommand(PodGone.class, this::podGone)
        .onCommand(LogRead.class, this::logRead)
        .onCommand(LookupReplied.class, this::lookupReplied)
        .onCommand(ServiceTick.class, (s, c) -> {
          Instant now = settings.clock().instant();
          if (lostNode.graceOver(now, settings.lostNodeGrace())) {
            return nodeLost(s, now);
          }
          if (imagePull.graceOver(now, settings.imagePullGrace())) {
            return imageNotPulled(s, now);
          }
          lookup(s.spec());
          return Effect().none().thenNoReply();
        })
        .onCommand(CreatePodReplied.class, () -> Effect().none().thenNoReply());
  }

  private ReplyEffect<ServiceEvent, ServiceState> lookupReplied(WithSpec state, LookupReplied msg) {
    reads = reads.lookupAnswered();
    if (msg.result() instanceof PodLookupResult.Present p) {
      return observed(state, p.pod());
    }
    if (msg.result() instanceof PodLookupResult.Absent
        && sighting.missing(settings.clock().instant(), settings.podMissingGrace(), state.at())) {
      ctx.getLog().warn("service {}: pod {} absent from the informer cache since {}", serviceId,
          state.spec().podName(), sighting.lastWord(state.at()));
      return podGone(state, true, sighting.last());
    }
    return Effect().none().thenNoReply();
  }

  /** The pod stayed on a lost node for lost-node-grace: the model is reported FAILED (127). */
  private ReplyEffect<ServiceEvent, ServiceState> nodeLost(WithSpec state, Instant now) {
    ctx.getLog().warn("service {}: pod {} on a lost node since {}, FAILED: {}", serviceId, state.spec().podName(),
        lostNode.since(), lostNode.reason());
    return aftercare.persist(ServiceEndings.lost(state.spec(), lostNode.reason(), now)).thenNoReply();
  }

  /** The container waited for an image it cannot pull for image-pull-grace: the model is reported FAILED (200). */
  private ReplyEffect<ServiceEvent, ServiceState> imageNotPulled(WithSpec state, Instant now) {
    String reason = imagePull.reason(state.spec().imageUrl());
    ctx.getLog().warn("service {}: pod {} waiting since {}, FAILED: {}", serviceId, state.spec().podName(),
        imagePull.since(), reason);
    return aftercare.persist(ServiceEndings.imageNotPulled(state.spec(), reason, now)).thenNoReply();
  }

  // ---------------------------------------------------------------- observations (Requested..Running)

  private ReplyEffect<ServiceEvent, ServiceState> observed(WithSpec state, PodSnapshot pod) {
    if (!pod.podName().equals(state.spec().podName())) {
      ctx.getLog().warn("service {}: observation of foreign pod {} ignored", serviceId, pod.podName());
      return Effect().none().thenNoReply();
    }
    Instant now = settings.clock().instant();
    sighting = sighting.observed(pod, now);
    String podName = state.spec().podName();
    boolean beforeCreated = ServiceState.isBeforeCreated(state);
    if (pod.container() == PodSnapshot.ContainerState.TERMINATED) {
      return terminated(state, pod, now);
    }
    if (!beforeCreated && LostNode.shows(pod)) {
      if (!lostNode.lost()) {
        lostNode = lostNode.seen(pod, now);
        ctx.getLog().warn("service {}: pod {} is on a lost node ({}), failing it after {} unless it recovers",
            serviceId, podName, lostNode.why(), settings.lostNodeGrace());
      }
      return lostNode.graceOver(now, settings.lostNodeGrace()) ? nodeLost(state, now) : Effect().none().thenNoReply();
    }
    if (lostNode.lost()) {
      ctx.getLog().info("service {}: pod {} reachable again after a lost node since {}", serviceId, podName,
          lostNode.since());
      lostNode = LostNode.none();
    }
    ImagePullWatch pull = imagePull.observed(pod, now);
    if (pull.waiting() && !imagePull.waiting()) {
      ctx.getLog().info("service {}: pod {} cannot pull image {} ({}), failing it after {} unless it starts",
          serviceId, podName, state.spec().imageUrl(), pull.why(), settings.imagePullGrace());
    }
    imagePull = pull;
    if (imagePull.graceOver(now, settings.imagePullGrace())) {
      return imageNotPulled(state, now);
    }
    List<ServiceEvent> events = new ArrayList<>();
    if (beforeCreated) {
      events.add(new PodCreated(serviceId, podName, now));
    }
    if (pod.container() == PodSnapshot.ContainerState.RUNNING && !(state instanceof Running)) {
      ctx.getLog().info("service {}: pod {} running", serviceId, podName);
      events.add(new PodRunning(serviceId, podName, now));
    }
    return events.isEmpty() ? Effect().none().thenNoReply() : Effect().persist(events).thenNoReply();
  }

  /** The container ended: exit 0 is recorded at once, any other exit after reading the log's tail. */
  private ReplyEffect<ServiceEvent, ServiceState> terminated(WithSpec state, PodSnapshot pod, Instant now) {
    if (reads.readingLog()) {
      return Effect().none().thenNoReply();
    }
    int exitCode = ServiceEndings.exitCode(pod);
    if (exitCode == 0 || settings.logTailLines() == 0) {
      return persistExit(state, pod, exitCode, List.of(), now);
    }
    reads = reads.logReadStarted();
    calls.readLog(pod);
    return Effect().none().thenNoReply();
  }

  private ReplyEffect<ServiceEvent, ServiceState> logRead(WithSpec state, LogRead msg) {
    reads = reads.logReadOver();
    if (msg.unavailable() != null) {
      ctx.getLog().info("service {}: log of pod {} unavailable: {}", serviceId, msg.pod().podName(),
          msg.unavailable());
    }
    return persistExit(state, msg.pod(), ServiceEndings.exitCode(msg.pod()), msg.lines(),
        settings.clock().instant());
  }

  private ReplyEffect<ServiceEvent, ServiceState> persistExit(WithSpec state, PodSnapshot pod, int exitCode,
      List<String> lines, Instant now) {
    if (exitCode != 0) {
      // Each line escaped and marked as the container's: its output can hold anything, log lines included.
      ctx.getLog().info("service {}: container exited {} ({}); last {} log line(s):\n{}", serviceId, exitCode,
          Ids.printable(ServiceEndings.describe(pod), MAX_LOGGED_LINE), lines.size(),
          lines.stream().map(l -> "  | " + Ids.printable(l, MAX_LOGGED_LINE)).collect(Collectors.joining("\n")));
    } else {
      ctx.getLog().info("service {}: container exited 0", serviceId);
    }
    return aftercare.persist(ServiceEndings.exited(state.spec(), pod, exitCode, lines, now)).thenNoReply();
  }

  private ReplyEffect<ServiceEvent, ServiceState> podGone(WithSpec state, PodGone cmd) {
    if (!cmd.podName().equals(state.spec().podName())) {
      return Effect().none().thenNoReply();
    }
    return podGone(state, cmd.finalStateUnknown(), cmd.lastKnown() != null ? cmd.lastKnown() : sighting.last());
  }

  /** The pod is gone: its last known state decides whether the model ended or was lost. */
  private ReplyEffect<ServiceEvent, ServiceState> podGone(WithSpec state, boolean finalStateUnknown,
      PodSnapshot lastKnown) {
    Instant now = settings.clock().instant();
    reads = reads.logReadOver();
    if (lastKnown != null && lastKnown.container() == PodSnapshot.ContainerState.TERMINATED
        && lastKnown.exitCode() != null) {
      return persistExit(state, lastKnown, lastKnown.exitCode(), List.of(), now);
    }
    String reason = ServiceEndings.goneEarly(finalStateUnknown);
    ctx.getLog().warn("service {}: {}", serviceId, reason);
    return aftercare.persist(ServiceEndings.lost(state.spec(), reason, now)).thenNoReply();
  }

  private void lookup(ServiceSpec spec) {
    if (reads.mayLookup()) {
      reads = reads.lookupSent();
      calls.lookupPod(spec.podName());
    }
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
          reads = reads.lookupAnswered();
          return Effect().none().thenNoReply();
        })
        .onCommand(LogRead.class, () -> {
          reads = reads.logReadOver();
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
            reads = reads.lookupAnswered();
          }
          return Effect().none().thenNoReply();
        });
  }

  private CommandReply notHeld(ServiceState state) {
    String phase = ServiceState.view(state).map(v -> v.phase().name()).orElse("unknown");
    return new CommandReply.Rejected("service " + serviceId + " is not held (phase " + phase + ")");
  }
}
