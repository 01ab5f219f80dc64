package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.DeploymentRejected;
import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationEvent.NotificationAbandoned;
import dev.tugboat.persistence.SimulationEvent.NotificationDelivered;
import dev.tugboat.persistence.SimulationEvent.ServiceCreateAcknowledged;
import dev.tugboat.persistence.SimulationEvent.SimulationDeployed;
import dev.tugboat.persistence.SimulationState.Active;
import dev.tugboat.persistence.SimulationState.Deployment;
import dev.tugboat.persistence.SimulationState.Empty;
import dev.tugboat.persistence.SimulationState.Ended;
import dev.tugboat.persistence.SimulationState.Model;
import dev.tugboat.persistence.SimulationState.Rejected;
import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.DeployValidator;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.SealedValueException;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationCommand.Deploy;
import dev.tugboat.protocol.simulation.SimulationCommand.Get;
import dev.tugboat.protocol.simulation.SimulationCommand.RefuseDeploy;
import dev.tugboat.protocol.simulation.SimulationCommand.ReportModelReady;
import dev.tugboat.protocol.simulation.SimulationCommand.ReportServiceTerminated;
import dev.tugboat.protocol.simulation.SimulationReply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.noop.NoopCounter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One simulation (one DeployModels): validates it, asks a Service entity per model to run it,
 * collects readiness and terminations, and owes the SO its lifecycle messages through a persisted
 * outbox. The events that queue a notification are tagged with the simulation's
 * {@link NotificationTags} slice. With a {@link FastPath} the entity publishes each notification
 * it queued itself as soon as it is journaled, and journals the broker's acknowledgement; the
 * {@link NotificationProjection} is the guarantee behind it: for each group it first claims the
 * entries ({@link ClaimNotifications}: every entry not acknowledged yet and not in flight is
 * handed to the projection, and the fast path never touches it again), publishes those, and
 * reports back with {@link NotificationsDelivered}, which empties the outbox. A notification the
 * notifier refuses permanently (it can never be published) is given up on either path and
 * journaled as {@link NotificationAbandoned} (logged at ERROR, counted in
 * {@value #ABANDONED_METRIC}), so it holds up neither this simulation nor its projection slice.
 * Every command replies Accepted/Rejected (or Found/NotFound for Get).
 */
public final class SimulationEntity
    extends EventSourcedBehaviorWithEnforcedReplies<SimulationCommand, SimulationEvent, SimulationState> {

  public static final EntityTypeKey<SimulationCommand> ENTITY_KEY =
      EntityTypeKey.create(SimulationCommand.class, "Simulation");

  /** Counts the notifications given up because they can never be published. */
  public static final String ABANDONED_METRIC = "tugboat.notifications.abandoned";

  /** Drives the re-sending of Creates. */
  enum Tick implements SimulationCommand.Private, CborSerializable { INSTANCE }

  /**
   * Every model has ended, some without reporting ready, and late-ready-grace has passed since:
   * AllModelsHaveTerminated is queued without ModelsReady.
   */
  enum LateReadyGraceOver implements SimulationCommand.Private, CborSerializable { INSTANCE }

  /** A Service entity answered Create (reply set) or the ask failed (failure set). */
  record CreateReplied(String modelId, CommandReply reply, String failure)
      implements SimulationCommand.Private, CborSerializable {}

  /**
   * From the notification projection: the broker acknowledged these outbox entries. Replies
   * Accepted once their NotificationDelivered is journaled (ids no longer in the outbox count as
   * done), Rejected for a simulation that does not exist.
   */
  public record NotificationsDelivered(List<Long> outboxIds, ActorRef<CommandReply> replyTo)
      implements SimulationCommand.Private, CborSerializable {
    public NotificationsDelivered {
      outboxIds = List.copyOf(outboxIds);
    }
  }

  /**
   * From the notification projection: the notifier refused these outbox entries permanently (they
   * can never be published). Replies Accepted once their NotificationAbandoned is journaled (ids
   * no longer in the outbox count as done), Rejected for a simulation that does not exist.
   */
  public record NotificationsAbandoned(List<Abandonment> abandoned, ActorRef<CommandReply> replyTo)
      implements SimulationCommand.Private, CborSerializable {
    public NotificationsAbandoned {
      abandoned = List.copyOf(abandoned);
    }
  }

  /** One outbox entry refused permanently, and the notifier's reason. */
  public record Abandonment(long outboxId, String reason) implements CborSerializable {}

  /**
   * From the notification projection, before it publishes a group: which of these outbox entries
   * it must publish itself. Answered once none of them is being published by the fast path: the
   * entries still in the outbox and not acknowledged to the fast path; from then on the fast path
   * leaves them (and every earlier entry) to the projection.
   */
  public record ClaimNotifications(List<Long> outboxIds, ActorRef<Claimed> replyTo)
      implements SimulationCommand.Private, CborSerializable {
    public ClaimNotifications {
      outboxIds = List.copyOf(outboxIds);
    }
  }

  /** The answer to {@link ClaimNotifications}: the outbox ids the projection publishes. */
  public record Claimed(List<Long> toPublish) implements CborSerializable {
    public Claimed {
      toPublish = List.copyOf(toPublish);
    }
  }

  /** The notifier's answer to a fast-path publish (failure set when the ask failed). */
  record FastPublished(long outboxId, PublishResult result, String failure)
      implements SimulationCommand.Private, CborSerializable {}

  /**
   * Where the entity publishes its notifications at once (the node's notifier) and how long it
   * waits for each acknowledgement. Without one, the projection publishes everything.
   */
  public record FastPath(ActorRef<NotifierCommand> notifier, Duration publishTimeout) {
    public FastPath {
      Objects.requireNonNull(notifier, "notifier");
      if (publishTimeout == null || publishTimeout.isNegative() || publishTimeout.isZero()) {
        throw new IllegalArgumentException("the fast path's publish timeout must be positive, got " + publishTimeout);
      }
    }
  }

  /**
   * The shard's stop message when the entity passivates. It is queued behind the messages already
   * in the mailbox, so a report or record that arrived just before (e.g. the projection's
   * NotificationsDelivered, racing with the fast path emptying the outbox) is still handled and
   * answered, not dropped with the actor; a batch still buffered is written before the stop.
   */
  enum Stop implements SimulationCommand.Private, CborSerializable { INSTANCE }

  /** Persists every report and delivery buffered since the last flush, in one write. */
  enum Flush implements SimulationCommand.Private, CborSerializable { INSTANCE }

  /**
   * From the {@link RetentionSweeper}: this simulation has journaled nothing for ended-retention;
   * if it is Ended or Rejected, delivered, and its retention is over, it removes itself.
   */
  enum CheckRetention implements SimulationCommand.Private, CborSerializable { INSTANCE }

  /** A service answered {@link ServiceEntity.Remove} (reply set) or the ask failed (failure set). */
  record ServiceRemoved(String modelId, CommandReply reply, String failure)
      implements SimulationCommand.Private, CborSerializable {}

  /** This simulation's own journal rows were removed (failure set when that failed). */
  record SimulationRemoved(int services, String failure) implements SimulationCommand.Private, CborSerializable {}

  /** A report or delivery waiting for the next {@link Flush}; never persisted as such. */
  private sealed interface Pending {}

  private record PendingReady(String modelId, ActorRef<CommandReply> replyTo) implements Pending {}

  private record PendingEnd(ModelEnd end, ActorRef<CommandReply> replyTo) implements Pending {}

  /** Delivered outbox ids to journal; replyTo is null for the fast path's own acknowledgements. */
  private record PendingDeliveries(List<Long> outboxIds, ActorRef<CommandReply> replyTo) implements Pending {}

  /** Abandoned outbox entries to journal; replyTo is null for the fast path's own refusals. */
  private record PendingAbandonments(List<Abandonment> abandoned, ActorRef<CommandReply> replyTo)
      implements Pending {}

  /** A projection claim waiting for the fast publishes of some of its ids. */
  private record PendingClaim(List<Long> outboxIds, ActorRef<Claimed> replyTo) {}

  private record PendingAck(String modelId) implements Pending {}

  /** A reply owed once the batch is persisted. */
  private record OwedReply(ActorRef<CommandReply> replyTo, CommandReply reply) {}

  private final String simulationId;
  private final EntityDirectory directory;
  private final EntitySettings settings;
  private final NotificationTags tags;
  /** Seals the secret environment values before SimulationDeployed journals the services. */
  private final Sealer sealer;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<SimulationCommand> ctx;
  private final Counter abandonedCounter;
  /** The journal plugin of this entity ("" = pekko.persistence.journal.plugin). */
  private final String journalPluginId;
  /** Its snapshot store ("" = pekko.persistence.snapshot-store.plugin; always so on the default journal). */
  private final String snapshotPluginId;
  /** The Creates in flight and the first ask of each model (see {@link CreateWindow}). */
  private final CreateWindow createWindow = new CreateWindow();
  /** The create deadline passed under hold-on-failure and was logged (once per incarnation). */
  private boolean createOverdueLogged;
  /** Every model has ended and AllModelsHaveTerminated waits for late ready reports (timer started). */
  private boolean awaitingLateReady;
  private final TimerScheduler<SimulationCommand> timers;
  private boolean passivating;
  /**
   * Reports and deliveries buffered in arrival order until the next Flush, so that a burst (thousands of
   * models ending within seconds) costs one journal write per run of commands instead of one
   * each. Lost with the incarnation: the reporters (services, the MQTT bridge, the notification
   * projection) re-send what was not answered.
   */
  private final List<Pending> pending = new ArrayList<>();
  private boolean flushScheduled;

  // The fast path (in memory, per incarnation; the projection delivers whatever it leaves).
  private final FastPath fastPath;
  /**
   * The lowest outbox id the fast path may still publish: entries queued before this incarnation
   * (found on recovery) and entries the projection claimed are below it. Starts at the outbox's
   * next id once recovery is complete.
   */
  private long fastNext = Long.MAX_VALUE;
  /** Fast publishes sent and not answered yet. */
  private final Set<Long> fastInFlight = new TreeSet<>();
  /**
   * Fast publishes the broker acknowledged, or the notifier refused permanently, until their
   * NotificationDelivered / NotificationAbandoned is journaled: none of them is owed any more.
   */
  private final Set<Long> fastSettled = new HashSet<>();
  /** A fast publish failed: this incarnation leaves every further notification to the projection. */
  private boolean fastStopped;
  private final List<PendingClaim> claims = new ArrayList<>();

  // The removal after ended-retention (in memory: a new incarnation starts it over, every step is
  // idempotent and the journal is only touched by DELETEs, the simulation's own rows last).
  private final EntityRemoval removal;
  /** The services' removal under way in this incarnation; null when none is. */
  private ServiceRemovals removals;
  /** This simulation's rows are gone: it only waits to be stopped. */
  private boolean removed;

  private SimulationEntity(String simulationId, Wiring wiring, String journalPluginId,
      ActorRef<ClusterSharding.ShardCommand> shard, TimerScheduler<SimulationCommand> timers,
      ActorContext<SimulationCommand> ctx) {
    super(PersistenceId.of(ENTITY_KEY.name(), simulationId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.simulationId = simulationId;
    this.directory = wiring.directory();
    this.settings = wiring.settings();
    this.tags = wiring.tags();
    this.fastPath = wiring.fastPath();
    this.sealer = wiring.sealer();
    this.journalPluginId = journalPluginId;
    this.removal = wiring.removal();
    this.abandonedCounter = wiring.abandoned();
    this.snapshotPluginId = journalPluginId.isEmpty() ? ""
        : ctx.getSystem().settings().config().getString(SNAPSHOT_PLUGIN_SETTING);
    this.shard = shard;
    this.timers = timers;
    this.ctx = ctx;
  }

  /**
   * What every simulation of a node works with: where the services are, the settings, the
   * notification slices, the fast path (null: the projection publishes everything), the sealer of
   * secret environment values, the removal of its rows after ended-retention, and the counter of
   * abandoned notifications.
   */
  public record Wiring(EntityDirectory directory, EntitySettings settings, NotificationTags tags, FastPath fastPath,
      Sealer sealer, EntityRemoval removal, Counter abandoned) {
    public Wiring {
      Objects.requireNonNull(directory, "directory");
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(tags, "tags");
      Objects.requireNonNull(sealer, "sealer");
      Objects.requireNonNull(removal, "removal");
      Objects.requireNonNull(abandoned, "abandoned");
    }

    /** No fast path, no removal after ended-retention, abandoned notifications counted nowhere. */
    public static Wiring of(EntityDirectory directory, EntitySettings settings, NotificationTags tags, Sealer sealer) {
      return new Wiring(directory, settings, tags, null, sealer, ServiceEntity.NO_REMOVAL,
          new NoopCounter(new Meter.Id(ABANDONED_METRIC, Tags.empty(), null, null, Meter.Type.COUNTER)));
    }

    public Wiring withFastPath(FastPath newFastPath) {
      return new Wiring(directory, settings, tags, newFastPath, sealer, removal, abandoned);
    }

    public Wiring withRemoval(EntityRemoval newRemoval) {
      return new Wiring(directory, settings, tags, fastPath, sealer, newRemoval, abandoned);
    }

    public Wiring withAbandonedCounter(Counter counter) {
      return new Wiring(directory, settings, tags, fastPath, sealer, removal, counter);
    }
  }

  /**
   * Starts sharding for simulations on this node; returns the shard region. {@code journal}
   * removes a simulation's rows once its ended-retention is over; {@code metrics} receives
   * {@value #ABANDONED_METRIC}.
   */
  public static ActorRef<ShardingEnvelope<SimulationCommand>> init(ActorSystem<?> system, Wiring wiring,
      JournalQueries journal, MeterRegistry metrics) {
    String journalPlugin = system.settings().config().getString(JOURNAL_PLUGIN_SETTING);
    Wiring sharded = wiring.withRemoval(journal.simulations()).withAbandonedCounter(abandonedCounter(metrics));
    return ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            entityContext -> create(entityContext.getEntityId(), sharded, journalPlugin, entityContext.getShard()))
        .withStopMessage(Stop.INSTANCE));
  }

  /**
   * The journal plugin of the sharded simulations: a second instance of the jdbc journal on tables
   * of its own, with its own write queue and connection pool, so that a simulation's write does
   * not queue behind thousands of services' writes (empty: the default journal).
   */
  static final String JOURNAL_PLUGIN_SETTING = "tugboat.entities.simulation-journal-plugin";

  /** The read journal over the tables of {@link #JOURNAL_PLUGIN_SETTING} (the notification projection's). */
  static final String READ_JOURNAL_PLUGIN_SETTING = "tugboat.entities.simulation-read-journal-plugin";

  /** The snapshot store used together with the journal of {@link #JOURNAL_PLUGIN_SETTING}. */
  static final String SNAPSHOT_PLUGIN_SETTING = "tugboat.entities.simulation-snapshot-plugin";

  /** The behavior of one simulation on the default journal; {@code shard} receives its Passivate requests. */
  public static Behavior<SimulationCommand> create(String simulationId, Wiring wiring,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return create(simulationId, wiring, "", shard);
  }

  /** The behavior of one simulation on {@code journalPluginId} ("" = the default journal). */
  static Behavior<SimulationCommand> create(String simulationId, Wiring wiring, String journalPluginId,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, wiring.settings().simulationTick());
      return Behaviors.setup(ctx -> new SimulationEntity(simulationId, wiring, journalPluginId, shard, timers, ctx));
    });
  }

  static Counter abandonedCounter(MeterRegistry metrics) {
    return Counter.builder(ABANDONED_METRIC)
        .description("notifications given up because the MQTT bridge can never publish them").register(metrics);
  }

  @Override
  public String journalPluginId() {
    return journalPluginId;
  }

  /** The simulations' own snapshot store goes with their own journal (the same pool). */
  @Override
  public String snapshotPluginId() {
    return snapshotPluginId;
  }

  @Override
  public SimulationState emptyState() {
    return new Empty(simulationId);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // The state grows with the model count (about 400 bytes per model: 4 MB at 10,000), so a
    // simulation snapshots far less often than a service: a 10,000-model run has ~40,000 events.
    return RetentionCriteria.snapshotEvery(settings.simulationSnapshotEvery(), 2);
  }

  /** The events that queue a notification carry the simulation's slice tag, which the projection reads. */
  @Override
  public Set<String> tagsFor(SimulationEvent event) {
    return NotificationHandler.queuesNotifications(event) ? Set.of(tags.tagFor(simulationId)) : Set.of();
  }

  @Override
  public EventHandler<SimulationState, SimulationEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(SimulationState::apply);
  }

  @Override
  public SignalHandler<SimulationState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (!(state instanceof Empty)) {
            ctx.getLog().debug("simulation {} recovered as {}", simulationId, state.getClass().getSimpleName());
          }
          // Entries queued by an earlier incarnation are the projection's; only new ones go the fast way.
          fastNext = outboxOf(state).map(Outbox::nextId).orElse(Outbox.empty().nextId());
          afterChange(state);
          if (state instanceof Active a) {
            sendCreates(a.deployment());
            if (a.deployment().allTerminated() && !a.deployment().allTerminatedQueued()) {
              // The earlier incarnation was waiting for late ready reports: this one waits again.
              awaitLateReady(a.deployment());
            }
          }
        })
        .build();
  }

  @Override
  public CommandHandlerWithReply<SimulationCommand, SimulationEvent, SimulationState> commandHandler() {
    return emptyHandlers()
        .orElse(activeHandlers())
        .orElse(endedHandlers())
        .orElse(rejectedHandlers())
        .orElse(anyStateHandlers())
        .build();
  }

  // ---------------------------------------------------------------- Empty

  private CommandHandlerWithReplyBuilderByState<SimulationCommand, SimulationEvent, Empty, SimulationState>
      emptyHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Empty.class)
        .onCommand(Deploy.class, this::deployOnEmpty)
        .onCommand(RefuseDeploy.class, this::refuseOnEmpty)
        .onCommand(ReportModelReady.class, c -> rejectAndPassivate(c.replyTo(), "unknown simulation"))
        .onCommand(ReportServiceTerminated.class, c -> rejectAndPassivate(c.replyTo(), "unknown simulation"))
        .onCommand(Get.class, c -> Effect().none().thenRun(this::passivate)
            .thenReply(c.replyTo(), s -> new SimulationReply.NotFound(simulationId)))
        .onCommand(Tick.class, () -> Effect().none().thenNoReply())
        .onCommand(CreateReplied.class, () -> Effect().none().thenNoReply())
        .onCommand(CheckRetention.class, () -> Effect().none().thenRun(this::passivate).thenNoReply())
        .onCommand(NotificationsDelivered.class, c -> rejectAndPassivate(c.replyTo(), "unknown simulation"))
        .onCommand(NotificationsAbandoned.class, c -> rejectAndPassivate(c.replyTo(), "unknown simulation"))
        .onCommand(ClaimNotifications.class, c -> Effect().none().thenRun(this::passivate)
            .thenReply(c.replyTo(), s -> new Claimed(c.outboxIds())))
        .onCommand(FastPublished.class, () -> Effect().none().thenNoReply());
  }

  private ReplyEffect<SimulationEvent, SimulationState> rejectAndPassivate(ActorRef<CommandReply> replyTo,
      String reason) {
    return Effect().none().thenRun(this::passivate).thenReply(replyTo, s -> new CommandReply.Rejected(reason));
  }

  private ReplyEffect<SimulationEvent, SimulationState> deployOnEmpty(Empty state, Deploy cmd) {
    Optional<String> idProblem = Ids.problem("simulationId", simulationId);
    if (idProblem.isPresent()) {
      ctx.getLog().warn("simulation {}: DeployModels refused, not persisted: {}", Ids.printable(simulationId),
          idProblem.get());
      return rejectAndPassivate(cmd.replyTo(), idProblem.get());
    }
    Instant now = settings.clock().instant();
    DeployValidator.Validation v = validate(simulationId, cmd, settings.limits());
    if (v.problem().isPresent()) {
      String reason = v.problem().get();
      ctx.getLog().warn("simulation {}: DeployModels rejected: {}; reporting {} model(s) as FAILED",
          simulationId, reason, v.validModelIds().size());
      return Effect()
          .persist(new DeploymentRejected(simulationId, cmd.simulatorId(), reason, v.validModelIds(), now))
          .thenRun(this::afterChange)
          .thenReply(cmd.replyTo(), s -> new CommandReply.Rejected(reason));
    }
    ctx.getLog().info("simulation {}: deployed {} model(s) of simulator {}", simulationId, v.services().size(),
        cmd.simulatorId());
    return Effect()
        .persist(new SimulationDeployed(simulationId, cmd.simulatorId(), cmd.keepLogsHours(),
            v.services().stream().map(sealer::seal).toList(), now))
        .thenRun(this::afterChange)
        .thenRun((SimulationState s) -> {
          if (s instanceof Active a) {
            sendCreates(a.deployment());
          }
        })
        .thenReply(cmd.replyTo(), s -> CommandReply.accepted());
  }

  /**
   * The journaled services against those of a re-sent Deploy: sealed values are compared by what
   * they open to (every sealing of a value differs, and a different password is a different
   * deployment).
   */
  private boolean sameServices(List<ServiceSpec> journaled, List<ServiceSpec> sent) {
    if (journaled.size() != sent.size()) {
      return false;
    }
    for (int i = 0; i < journaled.size(); i++) {
      if (!sealer.sameAs(journaled.get(i), sent.get(i))) {
        return false;
      }
    }
    return true;
  }

  private ReplyEffect<SimulationEvent, SimulationState> refuseOnEmpty(Empty state, RefuseDeploy cmd) {
    Optional<String> idProblem = Ids.problem("simulationId", simulationId);
    if (idProblem.isPresent()) {
      ctx.getLog().warn("simulation {}: DeployModels refused, not persisted: {}", Ids.printable(simulationId),
          idProblem.get());
      return rejectAndPassivate(cmd.replyTo(), idProblem.get());
    }
    String simulatorId = Ids.isValid(cmd.simulatorId()) ? cmd.simulatorId() : "";
    ctx.getLog().warn("simulation {}: DeployModels rejected before it was read: {}", simulationId, cmd.reason());
    return Effect()
        .persist(new DeploymentRejected(simulationId, simulatorId, cmd.reason(), List.of(),
            settings.clock().instant()))
        .thenRun(this::afterChange)
        .thenReply(cmd.replyTo(), s -> new CommandReply.Rejected(cmd.reason()));
  }

  static DeployValidator.Validation validate(String simulationId, Deploy cmd, DeployLimits limits) {
    return DeployValidator.validate(simulationId, cmd.simulatorId(), cmd.models(), cmd.keepLogsHours(), limits);
  }

  // ---------------------------------------------------------------- Active

  private CommandHandlerWithReplyBuilderByState<SimulationCommand, SimulationEvent, Active, SimulationState>
      activeHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Active.class)
        .onCommand(Deploy.class, (s, c) -> redeploy(s.deployment(), c))
        .onCommand(ReportModelReady.class, this::modelReady)
        .onCommand(ReportServiceTerminated.class, this::serviceTerminated)
        .onCommand(CreateReplied.class, this::createReplied)
        .onCommand(Tick.class, (s, c) -> tickActive(s))
        .onCommand(CheckRetention.class, () -> Effect().none().thenNoReply())
        .onCommand(LateReadyGraceOver.class, (s, c) -> lateReadyGraceOver(s));
  }

  private ReplyEffect<SimulationEvent, SimulationState> redeploy(Deployment d, Deploy cmd) {
    boolean same;
    try {
      same = d.simulatorId().equals(cmd.simulatorId())
          && Double.compare(d.keepLogsHours(), cmd.keepLogsHours()) == 0
          && sameServices(d.services(), cmd.models().stream()
              .map(m -> ServiceSpec.of(cmd.simulatorId(), simulationId, m, cmd.keepLogsHours())).toList());
    } catch (SealedValueException e) {
      ctx.getLog().error("simulation {}: a re-sent DeployModels cannot be compared with the deployed one: {}",
          simulationId, e.getMessage());
      return Effect().none().thenReply(cmd.replyTo(),
          s -> new CommandReply.Rejected("simulation already deployed; " + e.getMessage()));
    }
    if (same) {
      return Effect().none().thenReply(cmd.replyTo(), s -> new CommandReply.Accepted("already deployed"));
    }
    ctx.getLog().warn("simulation {}: a different DeployModels for an existing simulation was rejected", simulationId);
    return Effect().none().thenReply(cmd.replyTo(), s -> new CommandReply.Rejected("simulation already deployed"));
  }

  private ReplyEffect<SimulationEvent, SimulationState> modelReady(Active state, ReportModelReady cmd) {
    Deployment d = state.deployment();
    Optional<Model> model = d.model(cmd.modelId());
    if (model.isEmpty()) {
      return Effect().none().thenReply(cmd.replyTo(),
          s -> new CommandReply.Rejected("unknown model '" + Ids.printable(cmd.modelId()) + "'"));
    }
    if (model.get().ready()) {
      return Effect().none().thenReply(cmd.replyTo(), s -> new CommandReply.Accepted("already ready"));
    }
    return buffer(new PendingReady(cmd.modelId(), cmd.replyTo()));
  }

  private ReplyEffect<SimulationEvent, SimulationState> serviceTerminated(Active state, ReportServiceTerminated cmd) {
    Deployment d = state.deployment();
    Optional<Model> model = d.model(cmd.modelId());
    if (model.isEmpty()) {
      return Effect().none().thenReply(cmd.replyTo(),
          s -> new CommandReply.Rejected("unknown model '" + Ids.printable(cmd.modelId()) + "'"));
    }
    if (model.get().termination() != null) {
      return Effect().none().thenReply(cmd.replyTo(), s -> new CommandReply.Accepted("already terminated"));
    }
    return buffer(new PendingEnd(new ModelEnd(cmd.modelId(), cmd.status(), cmd.exitCode(), cmd.reason()),
        cmd.replyTo()));
  }

  /**
   * Holds {@code item} for the next Flush; its reply (if any) is sent once the batch is persisted.
   * Flush goes to the back of the mailbox, so every command already queued or stashed (those that
   * arrived during the previous write) joins the same batch.
   */
  private ReplyEffect<SimulationEvent, SimulationState> buffer(Pending item) {
    pending.add(item);
    if (!flushScheduled) {
      flushScheduled = true;
      ctx.getSelf().tell(Flush.INSTANCE);
    }
    return Effect().none().thenNoReply();
  }

  /**
   * Persists the buffered batch in one atomic write. Each item is decided against the state plus
   * the events decided before it in the batch, so duplicates (in the batch, or already journaled,
   * e.g. by a tick in between) add nothing, outbox ids stay consecutive, and
   * AllModelsHaveTerminatedQueued follows the last ModelTerminated in the same write.
   */
  private ReplyEffect<SimulationEvent, SimulationState> flush(SimulationState state) {
    return write(decideBatch(state)).thenRun(this::afterChange).thenNoReply();
  }

  /** The buffered batch is written (and answered) before the entity stops. */
  private ReplyEffect<SimulationEvent, SimulationState> flushAndStop(SimulationState state) {
    return write(decideBatch(state)).thenStop().thenNoReply();
  }

  /** Persists the batch's events in one write (none: no write) and then sends its replies. */
  private EffectBuilder<SimulationEvent, SimulationState> write(Batch batch) {
    EffectBuilder<SimulationEvent, SimulationState> effect =
        batch.events().isEmpty() ? Effect().none() : Effect().persist(batch.events());
    long started = System.nanoTime();
    return effect.thenRun(s -> {
      batch.events().forEach(this::reportAbandoned);
      sendReplies(batch.replies());
      if (ctx.getLog().isDebugEnabled()) {
        ctx.getLog().debug("simulation {}: wrote {} events, answered {} commands, in {} ms", simulationId,
            batch.events().size(), batch.replies().size(), (System.nanoTime() - started) / 1_000_000);
      }
    });
  }

  /** Once per abandoned notification (only the write that removed it from the outbox journals it). */
  private void reportAbandoned(SimulationEvent event) {
    if (event instanceof NotificationAbandoned a) {
      abandonedCounter.increment();
      ctx.getLog().error("simulation {}: outbox entry {} abandoned, it can never be published: {}",
          Ids.printable(simulationId), a.outboxId(), a.reason());
    }
  }

  /** The events of the buffered batch and the replies owed once they are written; empties the buffer. */
  private record Batch(List<SimulationEvent> events, List<OwedReply> replies) {}

  private Batch decideBatch(SimulationState state) {
    flushScheduled = false;
    List<Pending> batch = List.copyOf(pending);
    pending.clear();
    Instant now = settings.clock().instant();
    SimulationState next = state;
    List<SimulationEvent> events = new ArrayList<>();
    List<OwedReply> replies = new ArrayList<>();
    for (Pending item : batch) {
      List<SimulationEvent> decided = new ArrayList<>();
      if (item instanceof PendingReady r) {
        replies.add(new OwedReply(r.replyTo(), readyEvents(next, r.modelId(), now, decided)));
      } else if (item instanceof PendingEnd e) {
        replies.add(new OwedReply(e.replyTo(), endEvents(next, e.end(), now, decided)));
      } else if (item instanceof PendingDeliveries d) {
        Optional<Outbox> outbox = outboxOf(next);
        for (long id : d.outboxIds()) {
          if (outbox.filter(o -> o.contains(id)).isPresent()) {
            decided.add(new NotificationDelivered(simulationId, id, now));
          }
        }
        if (d.replyTo() != null) {
          replies.add(new OwedReply(d.replyTo(), CommandReply.accepted()));
        }
      } else if (item instanceof PendingAbandonments g) {
        Optional<Outbox> outbox = outboxOf(next);
        Set<Long> decidedIds = new HashSet<>();
        for (Abandonment a : g.abandoned()) {
          if (outbox.filter(o -> o.contains(a.outboxId())).isPresent() && decidedIds.add(a.outboxId())) {
            decided.add(new NotificationAbandoned(simulationId, a.outboxId(), a.reason(), now));
          }
        }
        if (g.replyTo() != null) {
          replies.add(new OwedReply(g.replyTo(), CommandReply.accepted()));
        }
      } else if (item instanceof PendingAck a && next instanceof Active active
          && active.deployment().model(a.modelId()).filter(m -> !m.createAcknowledged()).isPresent()) {
        decided.add(new ServiceCreateAcknowledged(simulationId, a.modelId(), now));
      }
      for (SimulationEvent event : decided) {
        next = SimulationState.apply(next, event);
      }
      events.addAll(decided);
    }
    if (next instanceof Active a) {
      allTerminated(a, now).ifPresent(events::add);
    }
    return new Batch(events, replies);
  }

  private static void sendReplies(List<OwedReply> replies) {
    replies.forEach(r -> r.replyTo().tell(r.reply()));
  }

  /**
   * ModelReady [+ ModelsReadyQueued] into {@code events} unless already ready or ended; the reply.
   * A model that has ended already is still marked ready: its report and its pod's end travel
   * apart (see {@link #allTerminated}).
   */
  private CommandReply readyEvents(SimulationState state, String modelId, Instant now, List<SimulationEvent> events) {
    if (!(state instanceof Active a)) {
      return new CommandReply.Accepted("simulation ended");
    }
    Deployment d = a.deployment();
    Optional<Model> model = d.model(modelId);
    if (model.isEmpty()) {
      return new CommandReply.Rejected("unknown model '" + Ids.printable(modelId) + "'");
    }
    if (model.get().ready()) {
      return new CommandReply.Accepted("already ready");
    }
    events.add(new ModelReady(simulationId, modelId, now));
    if (d.models().readyCount() + 1 == d.models().size() && !d.modelsReadyQueued()) {
      events.add(new ModelsReadyQueued(simulationId, a.outbox().nextId(), now));
      ctx.getLog().info("simulation {}: every model is ready, ModelsReady queued", simulationId);
    }
    return CommandReply.accepted();
  }

  /** ModelTerminated into {@code events} unless already ended; the reply. */
  private CommandReply endEvents(SimulationState state, ModelEnd end, Instant now, List<SimulationEvent> events) {
    if (!(state instanceof Active a)) {
      return new CommandReply.Accepted("already terminated");
    }
    Optional<Model> model = a.deployment().model(end.modelId());
    if (model.isEmpty()) {
      return new CommandReply.Rejected("unknown model '" + Ids.printable(end.modelId()) + "'");
    }
    if (model.get().termination() != null) {
      return new CommandReply.Accepted("already terminated");
    }
    events.addAll(terminationEvents(a, List.of(end), now));
    return CommandReply.accepted();
  }

  private static Optional<Outbox> outboxOf(SimulationState state) {
    if (state instanceof Active a) {
      return Optional.of(a.outbox());
    }
    if (state instanceof Ended e) {
      return Optional.of(e.outbox());
    }
    if (state instanceof Rejected r) {
      return Optional.of(r.outbox());
    }
    return Optional.empty();
  }

  /** One model's end, before it is journaled. */
  private record ModelEnd(String modelId, TerminationStatus status, int exitCode, String reason) {}

  /** ModelTerminated for each end (callers pass distinct models that have not ended yet). */
  private List<SimulationEvent> terminationEvents(Active state, List<ModelEnd> ends, Instant now) {
    List<SimulationEvent> events = new ArrayList<>();
    long nextId = state.outbox().nextId();
    for (ModelEnd end : ends) {
      ctx.getLog().info("simulation {}: model {} terminated {} (exit code {})", simulationId, end.modelId(),
          end.status(), end.exitCode());
      events.add(new ModelTerminated(simulationId, end.modelId(), end.status(), end.exitCode(), end.reason(),
          nextId++, now));
    }
    return events;
  }

  /** {@link #terminationEvents}, followed by AllModelsHaveTerminatedQueued when they end the simulation. */
  private List<SimulationEvent> terminationEventsAndEnd(Active state, List<ModelEnd> ends, Instant now) {
    List<SimulationEvent> events = terminationEvents(state, ends, now);
    SimulationState after = state;
    for (SimulationEvent event : events) {
      after = SimulationState.apply(after, event);
    }
    if (after instanceof Active a) {
      allTerminated(a, now).ifPresent(events::add);
    }
    return events;
  }

  /**
   * AllModelsHaveTerminatedQueued once no model of {@code state} (the state after the events
   * decided so far) is left running, unless it is already queued or waits for late ready reports.
   * A model's ReadyForProcessing comes over MQTT and its pod's end over the Kubernetes watch, so a
   * model that reports ready and exits at once can be seen ending first; were the simulation to
   * end there, its report would find it ended and the SO would never get the ModelsReady it was
   * owed. So while ModelsReady is not queued and could still be (every model not yet ready had a
   * pod), the end waits late-ready-grace (unless 0) for those reports; ModelsReady, if they complete
   * the set, goes out before AllModelsHaveTerminated.
   */
  private Optional<SimulationEvent> allTerminated(Active state, Instant now) {
    Deployment d = state.deployment();
    if (!d.allTerminated() || d.allTerminatedQueued()) {
      return Optional.empty();
    }
    if (!d.modelsReadyQueued() && !settings.lateReadyGrace().isZero() && readyStillPossible(d)) {
      awaitLateReady(d);
      return Optional.empty();
    }
    ctx.getLog().info("simulation {}: every model terminated, AllModelsHaveTerminated queued", simulationId);
    return Optional.of(new AllModelsHaveTerminatedQueued(simulationId, state.outbox().nextId(), now));
  }

  /** Every model not ready yet had a pod, so it may have sent ReadyForProcessing before it ended. */
  private static boolean readyStillPossible(Deployment d) {
    return d.models().stream().noneMatch(m -> !m.ready() && m.termination() != null
        && m.termination().exitCode() == ExitCodes.POD_NOT_CREATED);
  }

  private void awaitLateReady(Deployment d) {
    if (!awaitingLateReady) {
      awaitingLateReady = true;
      timers.startSingleTimer(LateReadyGraceOver.INSTANCE, settings.lateReadyGrace());
      ctx.getLog().info("simulation {}: every model terminated, {} of {} without reporting ready;"
              + " AllModelsHaveTerminated waits up to {} ms for late ReadyForProcessing", simulationId,
          d.models().size() - d.models().readyCount(), d.models().size(), settings.lateReadyGrace().toMillis());
    }
  }

  private ReplyEffect<SimulationEvent, SimulationState> lateReadyGraceOver(Active state) {
    awaitingLateReady = false;
    Deployment d = state.deployment();
    if (!d.allTerminated() || d.allTerminatedQueued()) {
      return Effect().none().thenNoReply();
    }
    ctx.getLog().warn("simulation {}: {} of {} models ended without reporting ready within {} ms; ModelsReady"
            + " not sent, AllModelsHaveTerminated queued", simulationId, d.models().size() - d.models().readyCount(),
        d.models().size(), settings.lateReadyGrace().toMillis());
    return Effect().persist(new AllModelsHaveTerminatedQueued(simulationId, state.outbox().nextId(),
        settings.clock().instant())).thenRun(this::afterChange).thenNoReply();
  }

  private ReplyEffect<SimulationEvent, SimulationState> createReplied(Active state, CreateReplied msg) {
    createWindow.answered(msg.modelId());
    Optional<Model> model = state.deployment().model(msg.modelId());
    if (model.isEmpty() || model.get().createAcknowledged()) {
      return Effect().none().thenNoReply();
    }
    if (msg.reply() instanceof CommandReply.Accepted) {
      createWindow.settled(msg.modelId());
      // Batched like reports: 10,000 acknowledgements are a few writes, not 10,000.
      return buffer(new PendingAck(msg.modelId()));
    }
    if (msg.reply() instanceof CommandReply.Rejected r) {
      // The service holds a different spec under this id: it can never run this model.
      ctx.getLog().error("simulation {}: service {} refused Create: {}", simulationId, msg.modelId(), r.reason());
      if (model.get().termination() != null) {
        return Effect().persist(new ServiceCreateAcknowledged(simulationId, msg.modelId(), settings.clock().instant()))
            .thenNoReply();
      }
      ModelEnd refused = new ModelEnd(msg.modelId(), TerminationStatus.FAILED, ExitCodes.POD_NOT_CREATED,
          "service refused Create: " + r.reason());
      return Effect().persist(terminationEventsAndEnd(state, List.of(refused), settings.clock().instant()))
          .thenRun(this::afterChange)
          .thenNoReply();
    }
    ctx.getLog().debug("simulation {}: Create to service {} unanswered ({}), retrying on tick", simulationId,
        msg.modelId(), msg.failure());
    return Effect().none().thenNoReply();
  }

  private ReplyEffect<SimulationEvent, SimulationState> tickActive(Active state) {
    Instant now = settings.clock().instant();
    Duration createDeadline = settings.createRetryAfter().multipliedBy(settings.createMaxAttempts());
    Instant sentBefore = now.minus(createDeadline);
    if (state.deployment().models().awaitingCreateCount() > 0
        && createWindow.anyAskedBefore(sentBefore)) {
      List<ModelEnd> givenUp = state.deployment().models().stream()
          .filter(m -> !m.createAcknowledged() && m.termination() == null)
          .filter(m -> createWindow.firstAsked(m.spec().modelId()).filter(t -> t.isBefore(sentBefore)).isPresent())
          .map(m -> new ModelEnd(m.spec().modelId(), TerminationStatus.FAILED, ExitCodes.POD_NOT_CREATED,
              "its service did not accept Create within " + createDeadline))
          .toList();
      if (settings.holdOnFailure()) {
        // Held: no FAILED goes to the SO; Create keeps being re-sent (one ask in flight per model,
        // once per tick) until the service takes it, and then holds on its own if creation fails.
        if (!createOverdueLogged) {
          createOverdueLogged = true;
          ctx.getLog().error("simulation {}: {} service(s) did not accept Create within {}; held (hold-on-failure),"
              + " still re-sending Create", simulationId, givenUp.size(), createDeadline);
        }
      } else if (!givenUp.isEmpty()) {
        ctx.getLog().error("simulation {}: {} service(s) never accepted Create; reporting them FAILED", simulationId,
            givenUp.size());
        givenUp.forEach(e -> createWindow.settled(e.modelId()));
        return Effect().persist(terminationEventsAndEnd(state, givenUp, now)).thenRun(this::afterChange)
            .thenNoReply();
      }
    }
    createWindow.rescan();
    sendCreates(state.deployment());
    return Effect().none().thenRun(this::afterChange).thenNoReply();
  }

  // ---------------------------------------------------------------- Ended and Rejected

  private CommandHandlerWithReplyBuilderByState<SimulationCommand, SimulationEvent, Ended, SimulationState>
      endedHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Ended.class)
        .onCommand(Deploy.class, (s, c) -> removed ? unansweredAfterRemoval() : redeploy(s.deployment(), c))
        .onCommand(ReportModelReady.class, this::endedModelReady)
        .onCommand(ReportServiceTerminated.class, (s, c) -> Effect().none().thenRun(this::afterChange)
            .thenReply(c.replyTo(), st -> s.deployment().model(c.modelId()).isPresent()
                ? new CommandReply.Accepted("already terminated")
                : new CommandReply.Rejected("unknown model '" + Ids.printable(c.modelId()) + "'")))
        .onCommand(CreateReplied.class, (s, c) -> {
          createWindow.answered(c.modelId());
          return Effect().none().thenNoReply();
        })
        .onCommand(Tick.class, () -> Effect().none().thenRun(this::afterChange).thenNoReply());
  }

  /** A ready report after the end (and after late-ready-grace, if there was a wait): too late for ModelsReady. */
  private ReplyEffect<SimulationEvent, SimulationState> endedModelReady(Ended state, ReportModelReady cmd) {
    Optional<Model> model = state.deployment().model(cmd.modelId());
    if (model.isEmpty()) {
      return Effect().none().thenRun(this::afterChange).thenReply(cmd.replyTo(),
          st -> new CommandReply.Rejected("unknown model '" + Ids.printable(cmd.modelId()) + "'"));
    }
    if (!model.get().ready() && !state.deployment().modelsReadyQueued()) {
      ctx.getLog().warn("simulation {}: model {} reported ready after the simulation ended; ModelsReady not sent",
          simulationId, Ids.printable(cmd.modelId()));
    }
    return Effect().none().thenRun(this::afterChange)
        .thenReply(cmd.replyTo(), st -> new CommandReply.Accepted("simulation ended"));
  }

  private CommandHandlerWithReplyBuilderByState<SimulationCommand, SimulationEvent, Rejected, SimulationState>
      rejectedHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Rejected.class)
        .onCommand(Deploy.class, (s, c) -> removed ? unansweredAfterRemoval() : Effect().none().thenRun(this::afterChange)
            .thenReply(c.replyTo(), st -> new CommandReply.Rejected(s.reason())))
        .onCommand(ReportModelReady.class, (s, c) -> Effect().none().thenRun(this::afterChange)
            .thenReply(c.replyTo(), st -> new CommandReply.Rejected("simulation was rejected: " + s.reason())))
        .onCommand(ReportServiceTerminated.class, (s, c) -> Effect().none().thenRun(this::afterChange)
            .thenReply(c.replyTo(), st -> new CommandReply.Accepted("simulation was rejected")))
        .onCommand(CreateReplied.class, () -> Effect().none().thenNoReply())
        .onCommand(Tick.class, () -> Effect().none().thenRun(this::afterChange).thenNoReply());
  }

  private CommandHandlerWithReplyBuilderByState<SimulationCommand, SimulationEvent, SimulationState, SimulationState>
      anyStateHandlers() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Get.class, (s, c) -> Effect().none().thenReply(c.replyTo(),
            st -> SimulationState.view(st).<SimulationReply>map(SimulationReply.Found::new)
                .orElseGet(() -> new SimulationReply.NotFound(simulationId))))
        .onCommand(RefuseDeploy.class, (s, c) -> refuseExisting(c))
        .onCommand(Flush.class, (s, c) -> flush(s))
        .onCommand(LateReadyGraceOver.class, () -> Effect().none().thenNoReply())
        .onCommand(Stop.class, (s, c) -> flushAndStop(s))
        .onCommand(CheckRetention.class, (s, c) -> Effect().none().thenRun(this::afterChange).thenNoReply())
        .onCommand(ServiceRemoved.class, this::serviceRemoved)
        .onCommand(SimulationRemoved.class, this::simulationRemoved)
        .onCommand(NotificationsDelivered.class, (s, c) -> buffer(new PendingDeliveries(c.outboxIds(), c.replyTo())))
        .onCommand(NotificationsAbandoned.class,
            (s, c) -> buffer(new PendingAbandonments(c.abandoned(), c.replyTo())))
        .onCommand(ClaimNotifications.class, this::claim)
        .onCommand(FastPublished.class, this::fastPublished);
  }

  private ReplyEffect<SimulationEvent, SimulationState> refuseExisting(RefuseDeploy cmd) {
    ctx.getLog().warn("simulation {}: a DeployModels for this existing simulation was refused: {}", simulationId,
        cmd.reason());
    return Effect().none().thenReply(cmd.replyTo(),
        s -> new CommandReply.Rejected("simulation already exists; this DeployModels was refused: " + cmd.reason()));
  }

  // ---------------------------------------------------------------- the fast path

  /**
   * Publishes, in id order, the outbox entries this incarnation queued and nobody has published
   * yet. AllModelsHaveTerminated goes only once every entry before it was acknowledged or given up
   * (otherwise it waits here, or the projection takes it); after a refused or unanswered publish
   * that may pass, nothing more goes this way.
   */
  private void fastPublish(SimulationState state) {
    if (fastPath == null || fastStopped) {
      return;
    }
    Optional<Outbox> outbox = outboxOf(state);
    if (outbox.isEmpty()) {
      return;
    }
    for (Outbox.Entry entry : outbox.get().pending()) {
      if (entry.id() < fastNext) {
        continue;
      }
      if (entry.notification() instanceof Notification.AllModelsHaveTerminated
          && !everyEarlierSettled(outbox.get(), entry.id())) {
        return;
      }
      fastNext = entry.id() + 1;
      fastInFlight.add(entry.id());
      long id = entry.id();
      ctx.ask(PublishResult.class, fastPath.notifier(), fastPath.publishTimeout(),
          replyTo -> new NotifierCommand.Publish(id, entry.notification(), replyTo),
          (result, failure) -> new FastPublished(id, result, failure == null ? null : String.valueOf(failure)));
    }
  }

  private boolean everyEarlierSettled(Outbox outbox, long id) {
    for (Outbox.Entry e : outbox.pending()) {
      if (e.id() >= id) {
        return true;
      }
      if (!fastSettled.contains(e.id())) {
        return false;
      }
    }
    return true;
  }

  private ReplyEffect<SimulationEvent, SimulationState> fastPublished(SimulationState state, FastPublished msg) {
    fastInFlight.remove(msg.outboxId());
    if (msg.result() instanceof PublishResult.Published) {
      fastSettled.add(msg.outboxId());
      answerClaims(state);
      fastPublish(state);
      return buffer(new PendingDeliveries(List.of(msg.outboxId()), null));
    }
    if (msg.result() instanceof PublishResult.NotPublished np && np.permanent()) {
      // Refused the same way on every retry: given up, so it holds up neither the entries after
      // it (AllModelsHaveTerminated) nor the projection; the fast path goes on with the rest.
      fastSettled.add(msg.outboxId());
      answerClaims(state);
      fastPublish(state);
      return buffer(new PendingAbandonments(List.of(new Abandonment(msg.outboxId(), np.reason())), null));
    }
    String why = msg.failure() != null ? msg.failure()
        : msg.result() instanceof PublishResult.NotPublished np ? np.reason() : String.valueOf(msg.result());
    if (!fastStopped) {
      ctx.getLog().warn("simulation {}: outbox entry {} not published at once ({}); the notification projection "
          + "delivers it and the rest of this incarnation's notifications", simulationId, msg.outboxId(), why);
    }
    fastStopped = true;
    answerClaims(state);
    return Effect().none().thenNoReply();
  }

  private ReplyEffect<SimulationEvent, SimulationState> claim(SimulationState state, ClaimNotifications cmd) {
    long highest = cmd.outboxIds().stream().mapToLong(Long::longValue).max().orElse(-1);
    // From now on the fast path leaves these entries, and every earlier one, to the projection.
    fastNext = Math.max(fastNext, highest + 1);
    claims.add(new PendingClaim(cmd.outboxIds(), cmd.replyTo()));
    answerClaims(state);
    return Effect().none().thenNoReply();
  }

  /** Answers every claim none of whose entries is still being published by the fast path. */
  private void answerClaims(SimulationState state) {
    if (claims.isEmpty()) {
      return;
    }
    Optional<Outbox> outbox = outboxOf(state);
    for (Iterator<PendingClaim> it = claims.iterator(); it.hasNext(); ) {
      PendingClaim c = it.next();
      if (c.outboxIds().stream().anyMatch(fastInFlight::contains)) {
        continue;
      }
      it.remove();
      List<Long> toPublish = new ArrayList<>();
      for (long id : c.outboxIds()) {
        if (outbox.filter(o -> o.contains(id)).isPresent() && !fastSettled.contains(id)) {
          toPublish.add(id);
        }
      }
      c.replyTo().tell(new Claimed(toPublish));
    }
  }

  /**
   * After recovery, each persisted change and each tick: refill the window of Creates (from the
   * scan's cursor: a scan of every model after every event made large simulations quadratic),
   * passivate once ended with every notification delivered.
   */
  private void afterChange(SimulationState state) {
    if (!fastSettled.isEmpty()) {
      Optional<Outbox> outbox = outboxOf(state);
      fastSettled.removeIf(id -> outbox.filter(o -> o.contains(id)).isEmpty());
    }
    fastPublish(state);
    if (state instanceof Active a) {
      if (createWindow.canAskMore(a.deployment().models().size(), settings.createWindow())) {
        sendCreates(a.deployment());
      }
    } else if (state instanceof Ended e) {
      if (e.outbox().isEmpty()) {
        passivateOrRemove(e.retentionFrom(), e.deployment().models());
      }
    } else if (state instanceof Rejected r) {
      if (r.outbox().isEmpty()) {
        passivateOrRemove(r.at(), ModelTable.of(List.of()));
      }
    }
  }

  // ---------------------------------------------------------------- removal after ended-retention

  /**
   * An ended, delivered simulation stops until its ended-retention is over (the sweeper wakes it
   * then); after that it asks each service to remove itself (a service does so only once its pod
   * is deleted), and once every one has, removes its own rows and stops. Its own rows go last, so
   * a crash at any step leaves a simulation that the next sweep finds and that starts over.
   */
  private void passivateOrRemove(Instant endedAt, ModelTable models) {
    if (removed) {
      return;
    }
    if (settings.clock().instant().isBefore(endedAt.plus(settings.endedRetention()))) {
      passivate();
      return;
    }
    if (removals == null) {
      // Once started, the services' answers drive it on (a tick or a sweep meanwhile changes nothing).
      removals = ServiceRemovals.start();
      ctx.getLog().debug("simulation {}: ended-retention over, removing its {} service(s)", simulationId,
          models.size());
      askServicesToRemove(models);
    }
  }

  private void askServicesToRemove(ModelTable models) {
    int room = removals.room(models.size(), settings.createWindow());
    List<String> asked = new ArrayList<>(room);
    for (int i = removals.cursor(); i < removals.cursor() + room; i++) {
      ServiceSpec spec = models.get(i).spec();
      String modelId = spec.modelId();
      asked.add(modelId);
      ctx.ask(CommandReply.class, directory.service(spec.serviceId()), settings.askTimeout(),
          ServiceEntity.Remove::new,
          (reply, failure) -> new ServiceRemoved(modelId, reply, failure == null ? null : failure.getMessage()));
    }
    removals = removals.asked(asked);
    if (!removals.complete(models.size())) {
      return;
    }
    if (removals.anyKept()) {
      ctx.getLog().info("simulation {}: ended-retention over, but a service still owns its pod; kept until a"
          + " later sweep", simulationId);
      removals = null;
      passivate();
      return;
    }
    int services = models.size();
    ctx.pipeToSelf(removal.remove(persistenceId().id()),
        (events, failure) -> new SimulationRemoved(services, failure == null ? null : failure.getMessage()));
  }

  private ReplyEffect<SimulationEvent, SimulationState> serviceRemoved(SimulationState state, ServiceRemoved msg) {
    if (removals == null || !removals.unanswered().contains(msg.modelId())) {
      return Effect().none().thenNoReply();
    }
    boolean removedService = msg.reply() instanceof CommandReply.Accepted;
    if (!removedService) {
      ctx.getLog().debug("simulation {}: service {} not removed: {}", simulationId, msg.modelId(),
          msg.reply() instanceof CommandReply.Rejected r ? r.reason() : msg.failure());
    }
    removals = removals.answered(msg.modelId(), removedService);
    if (state instanceof Ended e) {
      askServicesToRemove(e.deployment().models());
    }
    return Effect().none().thenNoReply();
  }

  private ReplyEffect<SimulationEvent, SimulationState> simulationRemoved(SimulationState state,
      SimulationRemoved msg) {
    removals = null;
    if (msg.failure() != null) {
      ctx.getLog().warn("simulation {}: journal not removed ({}); tried again at a later sweep", simulationId,
          msg.failure());
    } else {
      removed = true;
      ctx.getLog().info("simulation {}: removed from the journal after ended-retention, with {} service(s)",
          simulationId, msg.services());
    }
    passivate();
    return Effect().none().thenNoReply();
  }

  /**
   * A DeployModels that reaches this incarnation after its rows were removed (it was in the mailbox
   * before the stop) is left unanswered: the sender's ask times out and it sends again, to the next
   * incarnation, which is Empty and takes it as a new simulation.
   */
  private ReplyEffect<SimulationEvent, SimulationState> unansweredAfterRemoval() {
    return Effect().none().thenNoReply();
  }

  /**
   * Creates for models still awaiting one and not in flight, while fewer than create-window are
   * unanswered. The scan resumes where it stopped (so refilling the window as answers come in
   * costs O(1) per answer) and starts over on each tick, which re-sends unanswered Creates.
   */
  private void sendCreates(Deployment d) {
    for (Model m : createWindow.next(d.models(), settings.createWindow(), settings.clock().instant())) {
      String modelId = m.spec().modelId();
      ServiceSpec spec = m.spec();
      ctx.ask(CommandReply.class, directory.service(spec.serviceId()), settings.askTimeout(),
          replyTo -> new ServiceCommand.Create(spec, replyTo),
          (reply, failure) -> new CreateReplied(modelId, reply,
              failure == null ? null : String.valueOf(failure.getMessage())));
    }
  }

  private void passivate() {
    if (!passivating) {
      passivating = true;
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
  }
}
