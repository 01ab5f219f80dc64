package dev.tugboat.persistence;

import dev.tugboat.persistence.ServiceEvent.CreationQueued;
import dev.tugboat.persistence.ServiceEvent.HoldReleased;
import dev.tugboat.persistence.ServiceEvent.PodCreated;
import dev.tugboat.persistence.ServiceEvent.PodCreationStarted;
import dev.tugboat.persistence.ServiceEvent.PodDeleted;
import dev.tugboat.persistence.ServiceEvent.PodDeletionAbandoned;
import dev.tugboat.persistence.ServiceEvent.PodRunning;
import dev.tugboat.persistence.ServiceEvent.ServiceFailed;
import dev.tugboat.persistence.ServiceEvent.ServiceHeld;
import dev.tugboat.persistence.ServiceEvent.ServiceRequested;
import dev.tugboat.persistence.ServiceEvent.ServiceTerminated;
import dev.tugboat.persistence.ServiceEvent.SimulationNotified;
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
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodLogResult;
import dev.tugboat.protocol.kubernetes.PodLookupResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceCommand.Create;
import dev.tugboat.protocol.service.ServiceCommand.Get;
import dev.tugboat.protocol.service.ServiceCommand.PodObserved;
import dev.tugboat.protocol.service.ServiceCommand.Abandon;
import dev.tugboat.protocol.service.ServiceCommand.Retry;
import dev.tugboat.protocol.service.ServiceReply;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 */
public final class ServiceEntity
    extends EventSourcedBehaviorWithEnforcedReplies<ServiceCommand, ServiceEvent, ServiceState> {

  public static final EntityTypeKey<ServiceCommand> ENTITY_KEY = EntityTypeKey.create(ServiceCommand.class, "Service");

  /** Longest single timer: pekko's scheduler refuses delays beyond ~248 days; the tick re-checks. */
  private static final Duration MAX_TIMER = Duration.ofDays(1);
  /** Characters of one container log line shown in the node's log. */
  private static final int MAX_LOGGED_LINE = 2000;
  /** Retention is capped so a huge keepLogsHours cannot overflow Instant. */
  private static final Duration MAX_RETENTION = Duration.ofDays(3650);

  /** Drives retries (create, report, delete) and cache lookups. */
  enum ServiceTick implements ServiceCommand.Private, CborSerializable { INSTANCE }

  /** The deletion deadline has come. */
  enum DeleteDue implements ServiceCommand.Private, CborSerializable { INSTANCE }

  /** A deleted service's pod deletion was not seen within deleted-linger: stop anyway. */
  enum LingerOver implements ServiceCommand.Private, CborSerializable { INSTANCE }

  /** The gateway's final answer to CreatePod. */
  record CreatePodReplied(PodCallResult result) implements ServiceCommand.Private, CborSerializable {}

  /** The gateway's final answer to DeletePod (failure set when the ask timed out). */
  record DeleteReplied(PodCallResult result, String failure) implements ServiceCommand.Private, CborSerializable {}

  /** The log tail of a terminated container was read (lines empty when unavailable). */
  record LogRead(PodSnapshot pod, List<String> lines, String unavailable)
      implements ServiceCommand.Private, CborSerializable {}

  /** Answer to a LookupPod (failure set when the ask timed out). */
  record LookupReplied(PodLookupResult result, String failure) implements ServiceCommand.Private, CborSerializable {}

  /** The simulation's answer to ReportServiceTerminated (failure set when the ask timed out). */
  record ReportReplied(CommandReply reply, String failure) implements ServiceCommand.Private, CborSerializable {}

  /**
   * From its simulation, once the simulation's ended-retention is over: remove this service's journal
   * if its pod is deleted. Replies Accepted once the rows are gone (or there were none: Empty),
   * Rejected while the service still owns a pod (any phase before Deleted) or when the removal failed.
   */
  record Remove(ActorRef<CommandReply> replyTo) implements ServiceCommand.Private, CborSerializable {}

  /** The removal of this service's journal rows finished (failure set when it failed). */
  record Removed(ActorRef<CommandReply> replyTo, String failure) implements ServiceCommand.Private, CborSerializable {}

  private final ServiceId serviceId;
  private final EntityDirectory directory;
  private final ActorRef<KubernetesCommand> gateway;
  private final EntitySettings settings;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<ServiceCommand> ctx;
  private final TimerScheduler<ServiceCommand> timers;
  private final ActorRef<PodCallResult> createAdapter;
  private final EntityRemoval removal;

  // In-memory bookkeeping of requests in flight: lost on restart, where recovery re-sends.
  private CreateClock createClock = CreateClock.idle();
  /**
   * Since when the pod has been seen on a lost node (phase Unknown / reason NodeLost), or null. In
   * memory only: after a restart the next observation starts the grace again, which errs on waiting.
   */
  private Instant lostSince;
  private String lostWhy;
  private Instant deleteSentAt;
  private int deleteFailures;
  private boolean readingLog;
  private boolean lookupInFlight;
  private boolean reportInFlight;
  private Instant reportSentAt;
  private Instant lastSeen;
  private PodSnapshot lastSnapshot;
  private boolean passivating;
  /** The informer reported the pod gone (PodDeleted) to this incarnation. */
  private boolean podGoneSeen;
  /**
   * This incarnation is removing (or has removed) its journal rows: it persists nothing more, or a
   * write would bring a row back for a service its simulation counts as gone.
   */
  private boolean removing;

  private ServiceEntity(ServiceId serviceId, EntityDirectory directory, ActorRef<KubernetesCommand> gateway,
      EntitySettings settings, EntityRemoval removal, ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<ServiceCommand> ctx, TimerScheduler<ServiceCommand> timers) {
    super(PersistenceId.of(ENTITY_KEY.name(), serviceId.entityId()),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.serviceId = serviceId;
    this.directory = directory;
    this.gateway = gateway;
    this.settings = settings;
    this.shard = shard;
    this.ctx = ctx;
    this.timers = timers;
    this.createAdapter = ctx.messageAdapter(PodCallResult.class, CreatePodReplied::new);
    this.removal = removal;
    this.lastSeen = settings.clock().instant();
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
  static final EntityRemoval NO_REMOVAL = persistenceId -> java.util.concurrent.CompletableFuture.failedFuture(
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
      sendCreatePod(((WithSpec) state).spec());
      lookup(((WithSpec) state).spec());
    } else if (state instanceof Held h) {
      ctx.getLog().warn("service {}: recovered HELD ({}), waiting for an operator's retry or abandon", serviceId,
          h.reason());
    } else if (state instanceof Created || state instanceof Running) {
      lookup(((WithSpec) state).spec());
    } else {
      // A deleted service stopped before; its pod's deletion is nothing to wait for again.
      podGoneSeen = state instanceof Deleted;
      afterChange(state);
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
        .onCommand(Get.class, c -> Effect().none().thenRun(this::passivate)
            .thenReply(c.replyTo(), s -> new ServiceReply.NotFound(serviceId)))
        .onCommand(Retry.class, c -> Effect().none().thenRun(this::passivate)
            .thenReply(c.replyTo(), s -> new CommandReply.Rejected("service " + serviceId + " does not exist")))
        .onCommand(Abandon.class, c -> Effect().none().thenRun(this::passivate)
            .thenReply(c.replyTo(), s -> new CommandReply.Rejected("service " + serviceId + " does not exist")))
        // Never journaled, or removed by an earlier incarnation (a crash before its simulation heard).
        .onCommand(Remove.class, c -> Effect().none().thenRun(this::passivate)
            .thenReply(c.replyTo(), s -> new CommandReply.Accepted("no journal")))
        .onCommand(ServiceCommand.class, c -> {
          // An observation of a pod nobody asked this node to create (or a stale private message).
          ctx.getLog().debug("service {}: {} ignored, service never requested", serviceId,
              c.getClass().getSimpleName());
          return Effect().none().thenRun(this::passivate).thenNoReply();
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
        .thenRun((ServiceState s) -> sendCreatePod(cmd.spec()))
        .thenReply(cmd.replyTo(), s -> CommandReply.accepted());
  }

  // ---------------------------------------------------------------- Requested / Creating

  private <S extends WithSpec> CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, S, ServiceState>
      creatingHandlers(Class<S> type) {
    return newCommandHandlerWithReplyBuilder().forStateType(type)
        .onCommand(CreatePodReplied.class, this::createReplied)
        .onCommand(PodObserved.class, (s, c) -> observed(s, c.pod()))
        .onCommand(ServiceCommand.PodGone.class, this::podDeleted)
        .onCommand(LogRead.class, this::logRead)
        .onCommand(LookupReplied.class, this::lookupRepliedCreating)
        .onCommand(ServiceTick.class, (s, c) -> tickCreating(s));
  }

  /** The lookup made on recovery: a pod in the cache is an observation; no pod is no news yet (CreatePod is out). */
  private ReplyEffect<ServiceEvent, ServiceState> lookupRepliedCreating(WithSpec state, LookupReplied msg) {
    lookupInFlight = false;
    return msg.result() instanceof PodLookupResult.Present p ? observed(state, p.pod()) : Effect().none().thenNoReply();
  }

  private ReplyEffect<ServiceEvent, ServiceState> createReplied(WithSpec state, CreatePodReplied msg) {
    Instant now = settings.clock().instant();
    if (msg.result() instanceof PodCallResult.Queued q) {
      // The gateway answers a repeat with Queued again without queueing twice.
      createClock = createClock.interimAnswer();
      if (state instanceof Queued) {
        return Effect().none().thenNoReply();
      }
      ctx.getLog().info("service {}: CreatePod of {} queued for admission at position {}: {}", serviceId,
          state.spec().podName(), q.position(), q.reason());
      return Effect().persist(new CreationQueued(serviceId, state.spec().podName(), q.position(), q.reason(), now))
          .thenNoReply();
    }
    createClock = createClock.answered();
    if (msg.result() instanceof PodCallResult.Succeeded) {
      ctx.getLog().info("service {}: pod {} created", serviceId, state.spec().podName());
      lastSeen = now;
      return Effect().persist(new PodCreated(serviceId, state.spec().podName(), now)).thenNoReply();
    }
    PodCallResult.Failed f = (PodCallResult.Failed) msg.result();
    String reason = "pod not created: " + f.reason() + (f.httpStatus() == 0 ? "" : " (HTTP " + f.httpStatus() + ")");
    return fail(state, reason, now);
  }

  /** A bounded creation retry ran out: FAILED and reported, or HELD for an operator (hold-on-failure). */
  private ReplyEffect<ServiceEvent, ServiceState> fail(WithSpec state, String reason, Instant now) {
    if (settings.holdOnFailure()) {
      ctx.getLog().error("service {}: HELD for an operator (retry or abandon): {}", serviceId, reason);
      return Effect().persist(new ServiceHeld(serviceId, state.spec().podName(), reason, now)).thenNoReply();
    }
    return persistFailed(state, reason, now);
  }

  private ReplyEffect<ServiceEvent, ServiceState> persistFailed(WithSpec state, String reason, Instant now) {
    ctx.getLog().warn("service {}: FAILED, {}", serviceId, reason);
    return Effect()
        .persist(new ServiceFailed(serviceId, state.spec().podName(), reason, ExitCodes.POD_NOT_CREATED,
            deleteAt(state.spec(), now), now))
        .thenRun(this::afterChange)
        .thenNoReply();
  }

  private ReplyEffect<ServiceEvent, ServiceState> tickCreating(WithSpec state) {
    Instant now = settings.clock().instant();
    if (createClock.waiting(now, settings.createRetryAfter())) {
      return Effect().none().thenNoReply();
    }
    if (createClock.unanswered() >= settings.createMaxAttempts()) {
      return fail(state, "no answer from the Kubernetes gateway to " + createClock.unanswered()
          + " CreatePod attempts", now);
    }
    if (state instanceof Queued) {
      ctx.getLog().debug("service {}: still queued for admission, sending CreatePod again", serviceId);
    } else {
      ctx.getLog().info("service {}: CreatePod unanswered, sending it again", serviceId);
    }
    if (state instanceof Requested) {
      return Effect().persist(new PodCreationStarted(serviceId, state.spec().podName(), now))
          .thenRun((ServiceState s) -> sendCreatePod(state.spec()))
          .thenNoReply();
    }
    sendCreatePod(state.spec());
    return Effect().none().thenNoReply();
  }

  // ---------------------------------------------------------------- Held

  private CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, Held, ServiceState> heldHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Held.class)
        .onCommand(Retry.class, this::retryHeld)
        .onCommand(Abandon.class, this::abandonHeld)
        // The pod may exist after all (a late answer to an earlier CreatePod, or the informer saw it).
        .onCommand(CreatePodReplied.class, (s, c) -> c.result() instanceof PodCallResult.Succeeded
            ? Effect().persist(new PodCreated(serviceId, s.spec().podName(), settings.clock().instant()))
                .thenNoReply()
            : Effect().none().thenNoReply())
        .onCommand(PodObserved.class, (s, c) -> observed(s, c.pod()));
  }

  private ReplyEffect<ServiceEvent, ServiceState> retryHeld(Held state, Retry cmd) {
    ctx.getLog().info("service {}: operator retry of a held service, creating pod {} again", serviceId,
        state.spec().podName());
    return Effect().persist(new HoldReleased(serviceId, state.spec().podName(), settings.clock().instant()))
        .thenRun((ServiceState s) -> {
          createClock = CreateClock.idle();
          sendCreatePod(state.spec());
        })
        .thenReply(cmd.replyTo(), s -> CommandReply.accepted());
  }

  private ReplyEffect<ServiceEvent, ServiceState> abandonHeld(Held state, Abandon cmd) {
    String why = cmd.reason() == null || cmd.reason().isBlank() ? "no reason given" : cmd.reason();
    Instant now = settings.clock().instant();
    ctx.getLog().warn("service {}: FAILED, abandoned by operator: {} (held for: {})", serviceId, why,
        state.reason());
    return Effect()
        .persist(new ServiceFailed(serviceId, state.spec().podName(), "abandoned by operator: " + why,
            ExitCodes.POD_NOT_CREATED, deleteAt(state.spec(), now), now))
        .thenRun(this::afterChange)
        .thenReply(cmd.replyTo(), s -> CommandReply.accepted());
  }

  // ---------------------------------------------------------------- Created / Running

  private <S extends WithSpec> CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, S, ServiceState>
      createdHandlers(Class<S> type) {
    return newCommandHandlerWithReplyBuilder().forStateType(type)
        .onCommand(PodObserved.class, (s, c) -> observed(s, c.pod()))
        .onCommand(ServiceCommand.PodGone.class, this::podDeleted)
        .onCommand(LogRead.class, this::logRead)
        .onCommand(LookupReplied.class, this::lookupReplied)
        .onCommand(ServiceTick.class, (s, c) -> {
          Instant now = settings.clock().instant();
          if (lostGraceOver(now)) {
            return nodeLost(s, now);
          }
          lookup(s.spec());
          return Effect().none().thenNoReply();
        })
        .onCommand(CreatePodReplied.class, () -> Effect().none().thenNoReply());
  }

  private void lookup(ServiceSpec spec) {
    if (lookupInFlight || readingLog) {
      return;
    }
    lookupInFlight = true;
    ctx.ask(PodLookupResult.class, gateway, settings.askTimeout(),
        replyTo -> new KubernetesCommand.LookupPod(spec.podName(), replyTo),
        (result, failure) -> new LookupReplied(result, failure == null ? null : String.valueOf(failure.getMessage())));
  }

  private ReplyEffect<ServiceEvent, ServiceState> lookupReplied(WithSpec state, LookupReplied msg) {
    lookupInFlight = false;
    if (msg.result() instanceof PodLookupResult.Present p) {
      return observed(state, p.pod());
    }
    if (msg.result() instanceof PodLookupResult.Absent) {
      Instant now = settings.clock().instant();
      if (lastSeen.plus(settings.podMissingGrace()).isBefore(now)) {
        ctx.getLog().warn("service {}: pod {} absent from the informer cache since {}", serviceId,
            state.spec().podName(), lastSeen);
        return podGone(state, true, lastSnapshot);
      }
    }
    return Effect().none().thenNoReply();
  }

  private boolean lostGraceOver(Instant now) {
    return lostSince != null && !lostSince.plus(settings.lostNodeGrace()).isAfter(now);
  }

  /** The pod stayed on a lost node for lost-node-grace: the model is reported FAILED (127). */
  private ReplyEffect<ServiceEvent, ServiceState> nodeLost(WithSpec state, Instant now) {
    String reason = "node lost: " + lostWhy;
    ctx.getLog().warn("service {}: pod {} on a lost node since {}, FAILED: {}", serviceId, state.spec().podName(),
        lostSince, reason);
    return Effect()
        .persist(new ServiceTerminated(serviceId, state.spec().podName(), TerminationStatus.FAILED,
            ExitCodes.POD_LOST, reason, List.of(), deleteAt(state.spec(), now), now))
        .thenRun(this::afterChange)
        .thenNoReply();
  }

  /** The node controller marks pods of an unreachable node phase Unknown or reason NodeLost. */
  private static boolean onLostNode(PodSnapshot pod) {
    return "Unknown".equals(pod.phase()) || "NodeLost".equals(pod.reason());
  }

  // ---------------------------------------------------------------- observations (Requested..Running)

  private ReplyEffect<ServiceEvent, ServiceState> observed(WithSpec state, PodSnapshot pod) {
    if (!pod.podName().equals(state.spec().podName())) {
      ctx.getLog().warn("service {}: observation of foreign pod {} ignored", serviceId, pod.podName());
      return Effect().none().thenNoReply();
    }
    Instant now = settings.clock().instant();
    lastSeen = now;
    lastSnapshot = pod;
    String podName = state.spec().podName();
    boolean beforeCreated = ServiceState.isBeforeCreated(state);
    if (pod.container() == PodSnapshot.ContainerState.TERMINATED) {
      return terminated(state, pod, now);
    }
    if (!beforeCreated && onLostNode(pod)) {
      if (lostSince == null) {
        lostSince = now;
        String detail = describe(pod);
        lostWhy = detail.isEmpty() ? "pod phase " + pod.phase() : detail;
        ctx.getLog().warn("service {}: pod {} is on a lost node ({}), failing it after {} unless it recovers",
            serviceId, podName, lostWhy, settings.lostNodeGrace());
      }
      return lostGraceOver(now) ? nodeLost(state, now) : Effect().none().thenNoReply();
    }
    if (lostSince != null) {
      ctx.getLog().info("service {}: pod {} reachable again after a lost node since {}", serviceId, podName,
          lostSince);
      lostSince = null;
      lostWhy = null;
    }
    List<ServiceEvent> events = new ArrayList<>();
    if (beforeCreated) {
      createClock = createClock.answered();
      events.add(new PodCreated(serviceId, podName, now));
    }
    if (pod.container() == PodSnapshot.ContainerState.RUNNING && !(state instanceof Running)) {
      ctx.getLog().info("service {}: pod {} running", serviceId, podName);
      events.add(new PodRunning(serviceId, podName, now));
    }
    return events.isEmpty() ? Effect().none().thenNoReply() : Effect().persist(events).thenNoReply();
  }

  private ReplyEffect<ServiceEvent, ServiceState> terminated(WithSpec state, PodSnapshot pod, Instant now) {
    if (readingLog) {
      return Effect().none().thenNoReply();
    }
    int exitCode = pod.exitCode() == null ? ExitCodes.POD_LOST : pod.exitCode();
    if (exitCode == 0 || settings.logTailLines() == 0) {
      return persistTermination(state, pod, exitCode, List.of(), now);
    }
    readingLog = true;
    ctx.ask(PodLogResult.class, gateway, settings.askTimeout(),
        replyTo -> new KubernetesCommand.ReadPodLog(pod.podName(), settings.logTailLines(), replyTo),
        (result, failure) -> {
          if (result instanceof PodLogResult.Lines l) {
            return new LogRead(pod, l.lines(), null);
          }
          String why = result instanceof PodLogResult.Unavailable u ? u.reason()
              : "no answer: " + (failure == null ? "" : failure.getMessage());
          return new LogRead(pod, List.of(), why);
        });
    return Effect().none().thenNoReply();
  }

  private ReplyEffect<ServiceEvent, ServiceState> logRead(WithSpec state, LogRead msg) {
    readingLog = false;
    if (msg.unavailable() != null) {
      ctx.getLog().info("service {}: log of pod {} unavailable: {}", serviceId, msg.pod().podName(),
          msg.unavailable());
    }
    int exitCode = msg.pod().exitCode() == null ? ExitCodes.POD_LOST : msg.pod().exitCode();
    return persistTermination(state, msg.pod(), exitCode, msg.lines(), settings.clock().instant());
  }

  private ReplyEffect<ServiceEvent, ServiceState> persistTermination(WithSpec state, PodSnapshot pod, int exitCode,
      List<String> lines, Instant now) {
    TerminationStatus status = TerminationStatus.ofExitCode(exitCode);
    String reason = describe(pod);
    if (exitCode != 0) {
      // Each line escaped and marked as the container's: its output can hold anything, log lines included.
      ctx.getLog().info("service {}: container exited {} ({}); last {} log line(s):\n{}", serviceId, exitCode,
          Ids.printable(reason, MAX_LOGGED_LINE), lines.size(),
          lines.stream().map(l -> "  | " + Ids.printable(l, MAX_LOGGED_LINE)).collect(Collectors.joining("\n")));
    } else {
      ctx.getLog().info("service {}: container exited 0", serviceId);
    }
    return Effect()
        .persist(new ServiceTerminated(serviceId, state.spec().podName(), status, exitCode, reason, lines,
            deleteAt(state.spec(), now), now))
        .thenRun(this::afterChange)
        .thenNoReply();
  }

  private static String describe(PodSnapshot pod) {
    String reason = pod.reason() == null ? "" : pod.reason();
    if (pod.message() != null && !pod.message().isBlank()) {
      reason = reason.isEmpty() ? pod.message() : reason + ": " + pod.message();
    }
    return reason;
  }

  private ReplyEffect<ServiceEvent, ServiceState> podDeleted(WithSpec state, ServiceCommand.PodGone cmd) {
    if (!cmd.podName().equals(state.spec().podName())) {
      return Effect().none().thenNoReply();
    }
    return podGone(state, cmd.finalStateUnknown(), cmd.lastKnown() != null ? cmd.lastKnown() : lastSnapshot);
  }

  /** The pod is gone: its last known state decides whether the model ended or was lost. */
  private ReplyEffect<ServiceEvent, ServiceState> podGone(WithSpec state, boolean finalStateUnknown,
      PodSnapshot lastKnown) {
    Instant now = settings.clock().instant();
    readingLog = false;
    if (lastKnown != null && lastKnown.container() == PodSnapshot.ContainerState.TERMINATED
        && lastKnown.exitCode() != null) {
      return persistTermination(state, lastKnown, lastKnown.exitCode(), List.of(), now);
    }
    String reason = "pod deleted before its container terminated" + (finalStateUnknown ? " (final state unknown)" : "");
    ctx.getLog().warn("service {}: {}", serviceId, reason);
    return Effect()
        .persist(new ServiceTerminated(serviceId, state.spec().podName(), TerminationStatus.FAILED,
            ExitCodes.POD_LOST, reason, List.of(), deleteAt(state.spec(), now), now))
        .thenRun(this::afterChange)
        .thenNoReply();
  }

  // ---------------------------------------------------------------- Terminated / Failed / Deleted

  private <S extends Ended> CommandHandlerWithReplyBuilderByState<ServiceCommand, ServiceEvent, S, ServiceState>
      endedHandlers(Class<S> type) {
    return newCommandHandlerWithReplyBuilder().forStateType(type)
        .onCommand(ReportReplied.class, this::reportReplied)
        .onCommand(DeleteDue.class, (s, c) -> {
          afterChange(s);
          return Effect().none().thenNoReply();
        })
        .onCommand(DeleteReplied.class, this::deleteReplied)
        .onCommand(ServiceTick.class, (s, c) -> {
          afterChange(s);
          return Effect().none().thenNoReply();
        })
        .onCommand(LingerOver.class, (s, c) -> {
          stopIfDone(s, true);
          return Effect().none().thenNoReply();
        })
        // Late observations, log reads and lookups change nothing once the model has ended; the
        // pod's deletion seen lets a deleted service stop.
        .onCommand(PodObserved.class, () -> Effect().none().thenNoReply())
        .onCommand(ServiceCommand.PodGone.class, (s, c) -> {
          podGoneSeen = true;
          stopIfDone(s, false);
          return Effect().none().thenNoReply();
        })
        .onCommand(CreatePodReplied.class, () -> Effect().none().thenNoReply())
        .onCommand(LookupReplied.class, () -> {
          lookupInFlight = false;
          return Effect().none().thenNoReply();
        })
        .onCommand(LogRead.class, () -> {
          readingLog = false;
          return Effect().none().thenNoReply();
        });
  }

  private ReplyEffect<ServiceEvent, ServiceState> reportReplied(Ended state, ReportReplied msg) {
    reportInFlight = false;
    Instant now = settings.clock().instant();
    if (state.simulationNotified() || removing) {
      return Effect().none().thenNoReply();
    }
    if (msg.reply() instanceof CommandReply.Accepted) {
      return Effect().persist(new SimulationNotified(serviceId, true, "", now)).thenRun(this::afterChange)
          .thenNoReply();
    }
    if (msg.reply() instanceof CommandReply.Rejected r) {
      // The simulation does not know this model: re-sending cannot change that.
      ctx.getLog().error("service {}: simulation rejected the termination report: {}", serviceId, r.reason());
      return Effect().persist(new SimulationNotified(serviceId, false, r.reason(), now)).thenRun(this::afterChange)
          .thenNoReply();
    }
    ctx.getLog().debug("service {}: termination report unanswered ({}), retrying", serviceId, msg.failure());
    return Effect().none().thenNoReply();
  }

  private ReplyEffect<ServiceEvent, ServiceState> deleteReplied(Ended state, DeleteReplied msg) {
    deleteSentAt = null;
    if (state instanceof Deleted) {
      return Effect().none().thenNoReply();
    }
    Instant now = settings.clock().instant();
    if (msg.result() instanceof PodCallResult.Succeeded) {
      ctx.getLog().info("service {}: pod {} deleted", serviceId, state.spec().podName());
      return Effect().persist(new PodDeleted(serviceId, state.spec().podName(), now)).thenRun(this::afterChange)
          .thenNoReply();
    }
    String why = msg.result() instanceof PodCallResult.Failed f ? f.reason() : msg.failure();
    deleteFailures++;
    if (deleteFailures >= settings.deleteMaxAttempts()) {
      ctx.getLog().error("service {}: giving up deleting pod {} after {} failures: {}", serviceId,
          state.spec().podName(), deleteFailures, why);
      return Effect()
          .persist(new PodDeletionAbandoned(serviceId, state.spec().podName(),
              deleteFailures + " failed attempts, last: " + why, now))
          .thenRun(this::afterChange)
          .thenNoReply();
    }
    if (msg.result() == null) {
      // Unanswered is not failed: deletes wait their turn at the gateway's pace (a large simulation's
      // take longer than one ask), and the ask on the next tick joins the queued call, keeping its place.
      ctx.getLog().info("service {}: delete of pod {} not answered yet ({} of {} asks; deletes are paced by "
          + "tugboat.kubernetes.deletes.qps), asking again on the next tick", serviceId, state.spec().podName(),
          deleteFailures, settings.deleteMaxAttempts());
      return Effect().none().thenNoReply();
    }
    ctx.getLog().warn("service {}: deleting pod {} failed ({}), retrying on the next tick", serviceId,
        state.spec().podName(), why);
    return Effect().none().thenNoReply();
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
        .onCommand(Remove.class, this::remove)
        .onCommand(Removed.class, this::removed)
        .onCommand(ServiceCommand.class, c -> {
          if (c instanceof LookupReplied) {
            lookupInFlight = false;
          }
          return Effect().none().thenNoReply();
        });
  }

  /**
   * Removes the journal of a service whose pod is deleted; any earlier phase still owns a pod (or
   * may yet create one), and a service forgotten then would orphan it.
   */
  private ReplyEffect<ServiceEvent, ServiceState> remove(ServiceState state, Remove cmd) {
    if (!(state instanceof Deleted)) {
      String phase = ServiceState.view(state).map(v -> v.phase().name()).orElse("unknown");
      return Effect().none().thenReply(cmd.replyTo(), st -> new CommandReply.Rejected(
          "service " + serviceId + " still owns its pod (phase " + phase + ")"));
    }
    removing = true;
    ctx.pipeToSelf(removal.remove(persistenceId().id()),
        (events, failure) -> new Removed(cmd.replyTo(), failure == null ? null : String.valueOf(failure.getMessage())));
    return Effect().none().thenNoReply();
  }

  private ReplyEffect<ServiceEvent, ServiceState> removed(ServiceState state, Removed msg) {
    if (msg.failure() != null) {
      removing = false;
      ctx.getLog().warn("service {}: journal not removed ({}); its simulation asks again", serviceId, msg.failure());
      return Effect().none().thenReply(msg.replyTo(), st -> new CommandReply.Rejected(msg.failure()));
    }
    ctx.getLog().debug("service {}: removed from the journal (its simulation's retention is over)", serviceId);
    return Effect().none().thenRun(st -> passivate())
        .thenReply(msg.replyTo(), st -> new CommandReply.Accepted("removed"));
  }

  private CommandReply notHeld(ServiceState state) {
    String phase = ServiceState.view(state).map(v -> v.phase().name()).orElse("unknown");
    return new CommandReply.Rejected("service " + serviceId + " is not held (phase " + phase + ")");
  }

  // ---------------------------------------------------------------- side effects

  private void sendCreatePod(ServiceSpec spec) {
    createClock = createClock.sent(settings.clock().instant());
    gateway.tell(new KubernetesCommand.CreatePod(spec, createAdapter));
  }

  /** After recovery, each persisted change and each tick of an ended service: report, delete, passivate. */
  private void afterChange(ServiceState state) {
    if (removing || !(state instanceof Ended ended)) {
      return;
    }
    Instant now = settings.clock().instant();
    if (!ended.simulationNotified()) {
      report(ended, now);
    }
    ServiceState.deleteAt(state).ifPresent(deadline -> {
      if (!deadline.isAfter(now)) {
        if (deleteSentAt == null || deleteSentAt.plus(settings.createRetryAfter()).isBefore(now)) {
          deleteSentAt = now;
          ctx.getLog().info("service {}: retention over, deleting pod {}", serviceId, ended.spec().podName());
          // An ask, not a second adapter: adapters are keyed by message class, and a late CreatePod
          // answer must never be taken for the deletion's.
          ctx.ask(PodCallResult.class, gateway, settings.createRetryAfter(),
              replyTo -> new KubernetesCommand.DeletePod(ended.spec().podName(), replyTo),
              (result, failure) -> new DeleteReplied(result,
                  failure == null ? null : "no answer: " + failure.getMessage()));
        }
      } else if (!timers.isTimerActive(DeleteDue.INSTANCE)) {
        Duration wait = Duration.between(now, deadline);
        timers.startSingleTimer(DeleteDue.INSTANCE, wait.compareTo(MAX_TIMER) > 0 ? MAX_TIMER : wait);
      }
    });
    stopIfDone(state, false);
  }

  /**
   * A deleted service whose end its simulation acknowledged has nothing left to do. It stops once
   * the informer has reported the pod gone (or the linger is over): the watch's DELETED event
   * follows the delete's answer by milliseconds and would otherwise start it again.
   */
  private void stopIfDone(ServiceState state, boolean lingerOver) {
    if (!(state instanceof Deleted deleted) || !deleted.simulationNotified()) {
      return;
    }
    // An abandoned deletion will not be seen: stop at once.
    if (podGoneSeen || lingerOver || deleted.deletionProblem() != null) {
      timers.cancel(LingerOver.INSTANCE);
      passivate();
    } else if (!timers.isTimerActive(LingerOver.INSTANCE)) {
      timers.startSingleTimer(LingerOver.INSTANCE, settings.deletedLinger());
    }
  }

  private void report(Ended state, Instant now) {
    if (reportInFlight || (reportSentAt != null && reportSentAt.plus(settings.reportRetry()).isAfter(now))) {
      return;
    }
    reportInFlight = true;
    reportSentAt = now;
    ServiceState.Ending e = state.ending();
    ctx.ask(CommandReply.class, directory.simulation(serviceId.simulationId()), settings.askTimeout(),
        replyTo -> new SimulationCommand.ReportServiceTerminated(serviceId.modelId(), e.status(), e.exitCode(),
            e.reason(), replyTo),
        (reply, failure) -> new ReportReplied(reply, failure == null ? null : String.valueOf(failure.getMessage())));
  }

  static Instant deleteAt(ServiceSpec spec, Instant now) {
    double hours = spec.keepLogsHours();
    if (!Double.isFinite(hours) || hours <= 0) {
      return now;
    }
    double millis = hours * 3_600_000d;
    return millis >= MAX_RETENTION.toMillis() ? now.plus(MAX_RETENTION) : now.plusMillis((long) millis);
  }

  private void passivate() {
    if (!passivating) {
      passivating = true;
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
  }
}
