package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationEvent.ServiceCreateAcknowledged;
import dev.tugboat.persistence.SimulationMessages.CheckRetention;
import dev.tugboat.persistence.SimulationMessages.ClaimNotifications;
import dev.tugboat.persistence.SimulationMessages.Claimed;
import dev.tugboat.persistence.SimulationMessages.EndedIdleOver;
import dev.tugboat.persistence.SimulationMessages.FastPublished;
import dev.tugboat.persistence.SimulationMessages.Flush;
import dev.tugboat.persistence.SimulationMessages.LateReadyGraceOver;
import dev.tugboat.persistence.SimulationMessages.NotificationsAbandoned;
import dev.tugboat.persistence.SimulationMessages.NotificationsDelivered;
import dev.tugboat.persistence.SimulationMessages.ServiceAnsweredCreate;
import dev.tugboat.persistence.SimulationMessages.ServiceAnsweredStop;
import dev.tugboat.persistence.SimulationMessages.ServiceRemoved;
import dev.tugboat.persistence.SimulationMessages.SimulationRemoved;
import dev.tugboat.persistence.SimulationMessages.SimulationTick;
import dev.tugboat.persistence.SimulationMessages.Stop;
import dev.tugboat.persistence.SimulationState.Active;
import dev.tugboat.persistence.SimulationState.Empty;
import dev.tugboat.persistence.SimulationState.Ended;
import dev.tugboat.persistence.SimulationState.Model;
import dev.tugboat.persistence.SimulationState.Rejected;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationCommand.Deploy;
import dev.tugboat.protocol.simulation.SimulationCommand.Get;
import dev.tugboat.protocol.simulation.SimulationCommand.RefuseDeploy;
import dev.tugboat.protocol.simulation.SimulationCommand.ReportModelReady;
import dev.tugboat.protocol.simulation.SimulationCommand.ReportServiceTerminated;
import dev.tugboat.protocol.simulation.SimulationCommand.Terminate;
import dev.tugboat.protocol.simulation.SimulationReply;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One simulation (one DeployModels): validates it, asks a Service entity per model to run it,
 * collects readiness and terminations, and owes the SO its lifecycle messages through a persisted
 * outbox. Its lifecycle is {@link SimulationState}: Empty → Active → Ended, or Empty → Rejected;
 * this class is that state machine, one handler builder per state. The events that queue a
 * notification carry the simulation's {@link NotificationTags} slice. The bookkeeping of an
 * incarnation, none of it persisted, is held in named parts: the Creates ({@link ServiceCreates},
 * {@link CreateWindow}), an operator's termination ({@link ServiceStops}, {@link StopWindow}), the
 * report batch ({@link ReportWrites}, {@link ReportBatch}, decided by {@link SimulationDecider}),
 * the wait for late ready reports ({@link LateReadyGrace}), the fast path and the projection's
 * claims ({@link FastPublisher}), and the way out ({@link RetentionRemoval}); what each change
 * leads to is {@link NextSteps}.
 * Every command replies Accepted/Rejected (or Found/NotFound for Get).
 */
public final class SimulationEntity
    extends EventSourcedBehaviorWithEnforcedReplies<SimulationCommand, SimulationEvent, SimulationState> {

  public static final EntityTypeKey<SimulationCommand> ENTITY_KEY =
      EntityTypeKey.create(SimulationCommand.class, "Simulation");

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

  private final String simulationId;
  private final SimulationWiring wiring;
  private final EntitySettings settings;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<SimulationCommand> ctx;
  /** The journal plugin of this entity ("" = pekko.persistence.journal.plugin). */
  private final String journalPluginId;
  /** Its snapshot store ("" = pekko.persistence.snapshot-store.plugin; always so on the default journal). */
  private final String snapshotPluginId;
  private final DeployIntake intake;
  private final LateReadyGrace lateReady;
  private final SimulationDecider decider;
  private final ServiceCreates creates;
  private final ServiceStops stops;
  private final FastPublisher fast;
  private final RetentionRemoval removal;
  private final ReportWrites reports;
  private final NextSteps next;

  private SimulationEntity(String simulationId, SimulationWiring wiring, String journalPluginId,
      ActorRef<ClusterSharding.ShardCommand> shard, TimerScheduler<SimulationCommand> timers,
      ActorContext<SimulationCommand> ctx) {
    super(PersistenceId.of(ENTITY_KEY.name(), simulationId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.simulationId = simulationId;
    this.wiring = wiring;
    this.settings = wiring.settings();
    this.journalPluginId = journalPluginId;
    this.snapshotPluginId = journalPluginId.isEmpty() ? ""
        : ctx.getSystem().settings().config().getString(SNAPSHOT_PLUGIN_SETTING);
    this.shard = shard;
    this.ctx = ctx;
    this.intake = new DeployIntake(simulationId, settings.limits(), wiring.sealer(), ctx.getLog());
    this.lateReady = new LateReadyGrace(settings.lateReadyGrace());
    this.decider = new SimulationDecider(simulationId, lateReady, ctx.getLog());
    this.creates = new ServiceCreates(simulationId, wiring, ctx);
    this.stops = new ServiceStops(simulationId, wiring, decider, ctx, Effect(), this::afterChange);
    this.fast = new FastPublisher(simulationId, wiring.fastPath(), ctx);
    this.removal = new RetentionRemoval(simulationId, persistenceId().id(), wiring, shard, ctx, timers);
    this.reports = new ReportWrites(simulationId, wiring, decider, ctx, Effect());
    this.next = new NextSteps(simulationId, ctx, timers, fast, lateReady, creates, stops, removal);
  }

  /**
   * Starts sharding for simulations on this node; returns the shard region. {@code journal}
   * removes a simulation's rows once its ended-retention is over; {@code metrics} receives
   * {@value SimulationWiring#ABANDONED_METRIC}.
   */
  public static ActorRef<ShardingEnvelope<SimulationCommand>> init(ActorSystem<?> system, SimulationWiring wiring,
      JournalQueries journal, MeterRegistry metrics) {
    String journalPlugin = system.settings().config().getString(JOURNAL_PLUGIN_SETTING);
    SimulationWiring sharded = wiring.withRemoval(journal.simulations())
        .withAbandonedCounter(SimulationWiring.abandonedCounter(metrics));
    return ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            entityContext -> create(entityContext.getEntityId(), sharded, journalPlugin, entityContext.getShard()))
        .withStopMessage(Stop.INSTANCE));
  }

  /** The behavior of one simulation on the default journal; {@code shard} receives its Passivate requests. */
  public static Behavior<SimulationCommand> create(String simulationId, SimulationWiring wiring,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return create(simulationId, wiring, "", shard);
  }

  /** The behavior of one simulation on {@code journalPluginId} ("" = the default journal). */
  static Behavior<SimulationCommand> create(String simulationId, SimulationWiring wiring, String journalPluginId,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(SimulationTick.INSTANCE, wiring.settings().simulationTick());
      return Behaviors.setup(ctx -> new SimulationEntity(simulationId, wiring, journalPluginId, shard, timers, ctx));
    });
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
    // The state grows with the model count (about 400 bytes per model), so a simulation snapshots
    // far less often than a service.
    return RetentionCriteria.snapshotEvery(settings.simulationSnapshotEvery(), 2);
  }

  /** Each projection that reads an event finds it by its tag (SimulationEventTags). */
  @Override
  public Set<String> tagsFor(SimulationEvent event) {
    return SimulationEventTags.of(wiring.tags(), simulationId, event);
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
          fast.recovered(SimulationState.outboxOf(state));
          afterChange(state);
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
        .onCommand(Deploy.class, c -> journalIntake(intake.deploy(c, settings.clock().instant()), c.replyTo()))
        .onCommand(RefuseDeploy.class, c -> journalIntake(intake.refuse(c, settings.clock().instant()), c.replyTo()))
        .onCommand(ReportModelReady.class, c -> rejectAndPassivate(c.replyTo(), "unknown simulation"))
        .onCommand(ReportServiceTerminated.class, c -> rejectAndPassivate(c.replyTo(), "unknown simulation"))
        .onCommand(Terminate.class, c -> rejectAndPassivate(c.replyTo(), "unknown simulation"))
        .onCommand(Get.class, c -> Effect().none().thenRun(removal::passivate)
            .thenReply(c.replyTo(), s -> new SimulationReply.NotFound(simulationId)))
        .onCommand(SimulationTick.class, () -> Effect().none().thenNoReply())
        .onCommand(ServiceAnsweredCreate.class, () -> Effect().none().thenNoReply())
        .onCommand(CheckRetention.class, () -> Effect().none().thenRun(removal::passivate).thenNoReply())
        .onCommand(NotificationsDelivered.class, c -> rejectAndPassivate(c.replyTo(), "unknown simulation"))
        .onCommand(NotificationsAbandoned.class, c -> rejectAndPassivate(c.replyTo(), "unknown simulation"))
        .onCommand(ClaimNotifications.class, c -> Effect().none().thenRun(removal::passivate)
            .thenReply(c.replyTo(), s -> new Claimed(c.outboxIds())))
        .onCommand(FastPublished.class, () -> Effect().none().thenNoReply());
  }

  private ReplyEffect<SimulationEvent, SimulationState> rejectAndPassivate(ActorRef<CommandReply> replyTo,
      String reason) {
    return Effect().none().thenRun(removal::passivate).thenReply(replyTo, s -> new CommandReply.Rejected(reason));
  }

  /** A Deploy or RefuseDeploy on a new simulation: journaled as decided, or refused and passivated. */
  private ReplyEffect<SimulationEvent, SimulationState> journalIntake(DeployIntake.Decision d,
      ActorRef<CommandReply> replyTo) {
    return d.event().map(event -> Effect().persist(event).thenRun(this::afterChange).thenReply(replyTo, s -> d.reply()))
        .orElseGet(() -> Effect().none().thenRun(removal::passivate).thenReply(replyTo, s -> d.reply()));
  }

  // ---------------------------------------------------------------- Active

  private CommandHandlerWithReplyBuilderByState<SimulationCommand, SimulationEvent, Active, SimulationState>
      activeHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Active.class)
        .onCommand(Deploy.class, (s, c) -> answer(c.replyTo(), intake.redeploy(s.deployment(), c)))
        .onCommand(ReportModelReady.class, this::modelReady)
        .onCommand(ReportServiceTerminated.class, this::serviceTerminated)
        .onCommand(ServiceAnsweredCreate.class, this::serviceAnsweredCreate)
        .onCommand(Terminate.class, stops::terminate)
        .onCommand(ServiceAnsweredStop.class, stops::answered)
        .onCommand(SimulationTick.class, (s, c) -> tickActive(s))
        .onCommand(CheckRetention.class, () -> Effect().none().thenNoReply())
        .onCommand(LateReadyGraceOver.class, (s, c) -> lateReadyGraceOver(s));
  }

  /** A first ready report waits for the next Flush; an unknown model or a repeat is answered at once. */
  private ReplyEffect<SimulationEvent, SimulationState> modelReady(Active state, ReportModelReady cmd) {
    Optional<Model> model = state.deployment().model(cmd.modelId());
    if (model.isEmpty()) {
      return answer(cmd.replyTo(), unknownModel(cmd.modelId()));
    }
    if (model.get().ready()) {
      return answer(cmd.replyTo(), new CommandReply.Accepted("already ready"));
    }
    return reports.buffer(new ReportBatch.Ready(cmd.modelId(), cmd.replyTo()));
  }

  /** A first end waits for the next Flush; an unknown model or a repeat is answered at once. */
  private ReplyEffect<SimulationEvent, SimulationState> serviceTerminated(Active state, ReportServiceTerminated cmd) {
    Optional<Model> model = state.deployment().model(cmd.modelId());
    if (model.isEmpty()) {
      return answer(cmd.replyTo(), unknownModel(cmd.modelId()));
    }
    if (model.get().termination() != null) {
      return answer(cmd.replyTo(), new CommandReply.Accepted("already terminated"));
    }
    return reports.buffer(new ReportBatch.End(new ModelEnd(cmd.modelId(), cmd.status(), cmd.exitCode(), cmd.reason()),
        cmd.replyTo()));
  }

  private static CommandReply unknownModel(String modelId) {
    return new CommandReply.Rejected("unknown model '" + Ids.printable(modelId) + "'");
  }

  private ReplyEffect<SimulationEvent, SimulationState> serviceAnsweredCreate(Active state,
      ServiceAnsweredCreate msg) {
    creates.answered(msg.modelId());
    Optional<Model> model = state.deployment().model(msg.modelId());
    if (model.isEmpty() || model.get().createAcknowledged()) {
      return Effect().none().thenNoReply();
    }
    if (msg.reply() instanceof CommandReply.Accepted) {
      creates.settled(msg.modelId());
      // Batched like reports: 10,000 acknowledgements are a few writes, not 10,000.
      return reports.buffer(new ReportBatch.CreateAccepted(msg.modelId()));
    }
    if (msg.reply() instanceof CommandReply.Rejected r) {
      // The service holds a different spec under this id: it can never run this model.
      ctx.getLog().error("simulation {}: service {} refused Create: {}", simulationId, msg.modelId(), r.reason());
      Instant now = settings.clock().instant();
      if (model.get().termination() != null) {
        return Effect().persist(new ServiceCreateAcknowledged(simulationId, msg.modelId(), now)).thenNoReply();
      }
      ModelEnd refused = new ModelEnd(msg.modelId(), TerminationStatus.FAILED, ExitCodes.POD_NOT_CREATED,
          "service refused Create: " + r.reason());
      return Effect().persist(decider.ends(state, List.of(refused), now)).thenRun(this::afterChange).thenNoReply();
    }
    ctx.getLog().debug("simulation {}: Create to service {} unanswered ({}), retrying on tick", simulationId,
        msg.modelId(), msg.failure());
    return Effect().none().thenNoReply();
  }

  /**
   * The Creates past their deadline are given up as FAILED ({@link ServiceCreates#overdue}); else
   * the unanswered ones are sent again.
   */
  private ReplyEffect<SimulationEvent, SimulationState> tickActive(Active state) {
    if (state.deployment().terminating()) {
      // No Create is sent or given up any more; afterChange asks the services not yet stopped.
      return Effect().none().thenRun(this::afterChange).thenNoReply();
    }
    Instant now = settings.clock().instant();
    List<ModelEnd> givenUp = creates.overdue(state.deployment(), now);
    if (!givenUp.isEmpty()) {
      return Effect().persist(decider.ends(state, givenUp, now)).thenRun(this::afterChange).thenNoReply();
    }
    creates.resend(state.deployment());
    return Effect().none().thenRun(this::afterChange).thenNoReply();
  }

  /** The wait for late ready reports is over: AllModelsHaveTerminated goes without ModelsReady. */
  private ReplyEffect<SimulationEvent, SimulationState> lateReadyGraceOver(Active state) {
    lateReady.over();
    return decider.graceOver(state, settings.clock().instant())
        .map(event -> Effect().persist(event).thenRun(this::afterChange).thenNoReply())
        .orElseGet(() -> Effect().none().thenNoReply());
  }

  // ---------------------------------------------------------------- Ended and Rejected

  private CommandHandlerWithReplyBuilderByState<SimulationCommand, SimulationEvent, Ended, SimulationState>
      endedHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Ended.class)
        .onCommand(Deploy.class, (s, c) -> removal.removed() ? unansweredAfterRemoval()
            : answer(c.replyTo(), intake.redeploy(s.deployment(), c)))
        .onCommand(ReportModelReady.class, (s, c) -> answerAndGoOn(c.replyTo(), decider.readyAfterEnd(s, c.modelId())))
        .onCommand(ReportServiceTerminated.class, (s, c) -> answerAndGoOn(c.replyTo(),
            s.deployment().model(c.modelId()).isPresent() ? new CommandReply.Accepted("already terminated")
                : unknownModel(c.modelId())))
        .onCommand(ServiceAnsweredCreate.class, (s, c) -> doing(() -> creates.answered(c.modelId())))
        .onCommand(SimulationTick.class, () -> Effect().none().thenRun(this::afterChange).thenNoReply())
        .onCommand(ServiceRemoved.class, (s, c) -> doing(() -> removal.serviceRemoved(c, s.deployment().models())));
  }

  private CommandHandlerWithReplyBuilderByState<SimulationCommand, SimulationEvent, Rejected, SimulationState>
      rejectedHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Rejected.class)
        .onCommand(Deploy.class, (s, c) -> removal.removed() ? unansweredAfterRemoval()
            : answerAndGoOn(c.replyTo(), new CommandReply.Rejected(s.reason())))
        .onCommand(ReportModelReady.class, (s, c) -> answerAndGoOn(c.replyTo(),
            new CommandReply.Rejected("simulation was rejected: " + s.reason())))
        .onCommand(ReportServiceTerminated.class, (s, c) -> answerAndGoOn(c.replyTo(),
            new CommandReply.Accepted("simulation was rejected")))
        .onCommand(ServiceAnsweredCreate.class, () -> Effect().none().thenNoReply())
        .onCommand(SimulationTick.class, () -> Effect().none().thenRun(this::afterChange).thenNoReply());
  }

  /**
   * A DeployModels in the mailbox when the rows were removed goes unanswered: its sender asks again
   * and reaches the next incarnation, Empty, which takes it as a new simulation.
   */
  private ReplyEffect<SimulationEvent, SimulationState> unansweredAfterRemoval() {
    return Effect().none().thenNoReply();
  }

  // ---------------------------------------------------------------- any state

  private CommandHandlerWithReplyBuilderByState<SimulationCommand, SimulationEvent, SimulationState, SimulationState>
      anyStateHandlers() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Get.class, (s, c) -> Effect().none().thenRun(st -> removal.read()).thenReply(c.replyTo(),
            st -> SimulationState.view(st).<SimulationReply>map(SimulationReply.Found::new)
                .orElseGet(() -> new SimulationReply.NotFound(simulationId))))
        .onCommand(EndedIdleOver.class, (s, c) -> doing(() -> next.idleOver(s)))
        .onCommand(RefuseDeploy.class, (s, c) -> answer(c.replyTo(), intake.refuseExisting(c)))
        .onCommand(Terminate.class, (s, c) -> answerAndGoOn(c.replyTo(), new CommandReply.Duplicate("simulation has ended")))
        .onCommand(ServiceAnsweredStop.class, () -> Effect().none().thenNoReply())
        .onCommand(Flush.class, (s, c) -> reports.write(s).thenRun(this::afterChange).thenNoReply())
        .onCommand(Stop.class, (s, c) -> reports.write(s).thenStop().thenNoReply())
        .onCommand(LateReadyGraceOver.class, () -> Effect().none().thenNoReply())
        .onCommand(CheckRetention.class, (s, c) -> Effect().none().thenRun(this::afterChange).thenNoReply())
        .onCommand(ServiceRemoved.class, () -> Effect().none().thenNoReply())
        .onCommand(SimulationRemoved.class, (s, c) -> doing(() -> removal.simulationRemoved(c)))
        .onCommand(NotificationsDelivered.class,
            (s, c) -> reports.buffer(new ReportBatch.Deliveries(c.outboxIds(), c.replyTo())))
        .onCommand(NotificationsAbandoned.class,
            (s, c) -> reports.buffer(new ReportBatch.Abandonments(c.abandoned(), c.replyTo())))
        .onCommand(ClaimNotifications.class, (s, c) -> doing(() -> fast.claim(c, SimulationState.outboxOf(s))))
        .onCommand(FastPublished.class, (s, c) -> fast.published(c, SimulationState.outboxOf(s)).map(reports::buffer)
            .orElseGet(() -> Effect().none().thenNoReply()));
  }

  /** After recovery, each persisted change and each tick: what comes next ({@link NextSteps}). */
  private void afterChange(SimulationState state) {
    next.after(state);
  }

  /** Answers at once; nothing is journaled. */
  private ReplyEffect<SimulationEvent, SimulationState> answer(ActorRef<CommandReply> replyTo, CommandReply reply) {
    return Effect().none().thenReply(replyTo, s -> reply);
  }

  /** Answers at once and goes on as after a change: an ended, delivered simulation passivates or is removed. */
  private ReplyEffect<SimulationEvent, SimulationState> answerAndGoOn(ActorRef<CommandReply> replyTo,
      CommandReply reply) {
    return Effect().none().thenRun(this::afterChange).thenReply(replyTo, s -> reply);
  }

  /** Runs {@code bookkeeping} (a part's, and the sends it decides) now; nothing is journaled or answered. */
  private ReplyEffect<SimulationEvent, SimulationState> doing(Runnable bookkeeping) {
    bookkeeping.run();
    return Effect().none().thenNoReply();
  }
}
