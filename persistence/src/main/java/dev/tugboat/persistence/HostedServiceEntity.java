package dev.tugboat.persistence;

import dev.tugboat.persistence.HostedEvent.DeletionStarted;
import dev.tugboat.persistence.HostedEvent.HostedCreated;
import dev.tugboat.persistence.HostedEvent.HostedDeleted;
import dev.tugboat.persistence.HostedEvent.PodRemoved;
import dev.tugboat.persistence.HostedEvent.ReplicaStarted;
import dev.tugboat.persistence.HostedEvent.RestartFinished;
import dev.tugboat.persistence.HostedEvent.RestartStarted;
import dev.tugboat.persistence.HostedEvent.Scaled;
import dev.tugboat.persistence.HostedState.Active;
import dev.tugboat.persistence.HostedState.Deleting;
import dev.tugboat.persistence.HostedState.Empty;
import dev.tugboat.persistence.HostedState.Existing;
import dev.tugboat.persistence.HostedState.Restarting;
import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.hosted.HostedCommand.Create;
import dev.tugboat.protocol.hosted.HostedCommand.Delete;
import dev.tugboat.protocol.hosted.HostedCommand.Get;
import dev.tugboat.protocol.hosted.HostedCommand.PodGone;
import dev.tugboat.protocol.hosted.HostedCommand.PodObserved;
import dev.tugboat.protocol.hosted.HostedCommand.ReportLoad;
import dev.tugboat.protocol.hosted.HostedCommand.Restart;
import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.hosted.HostedReply;
import dev.tugboat.protocol.hosted.HostedSpecCheck;
import dev.tugboat.protocol.hosted.HostedView;
import dev.tugboat.protocol.kubernetes.HostedPods;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
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
 * One hosted service (a long-lived workload with replicas and published ports; the entity id is
 * its name, so a name never runs twice): creates its replicas' pods through the
 * KubernetesGateway ({@link HostedPodCalls}), follows them from the gateway's observations and,
 * on its tick, from the informer cache ({@link ReplicaSightings}); replaces a failed replica after
 * a bounded backoff ({@link ReplicaReplacements}), then marks it FAILED; scales between min and max
 * on the proxies' load reports ({@link HostedScaling}); restarts its replicas one at a time; and on Delete
 * removes every pod, then ends (the name is free again). After every change it publishes what
 * the proxies need ({@link HostedPublisher}). Secret environment values are journaled sealed
 * and never shown by Get ({@link HostedSecrets}). Create, Delete and Restart reply a CommandReply,
 * Get Found/NotFound. The lifecycle is the persisted {@link HostedState}
 * (docs/state-machines.md, *HostedServiceEntity*); the replicas are a {@link ReplicaSet}.
 */
public final class HostedServiceEntity
    extends EventSourcedBehaviorWithEnforcedReplies<HostedCommand, HostedEvent, HostedState> {

  public static final EntityTypeKey<HostedCommand> ENTITY_KEY =
      EntityTypeKey.create(HostedCommand.class, "HostedService");

  /** Starts due replacements, scales down when idle, and checks the pods against the informer cache. */
  enum Tick implements HostedCommand.Private, CborSerializable { INSTANCE }

  /** The gateway's informer cache listed the service's pods. */
  record PodsListed(HostedPods pods) implements HostedCommand.Private, CborSerializable {}

  /**
   * The gateway's answer to a pod's create or delete (one adapter for both: an actor has one
   * adapter per message class); the pod name tells which pod it is about.
   */
  record PodCallAnswered(PodCallResult result) implements HostedCommand.Private, CborSerializable {}

  private final String name;
  private final HostedSettings settings;
  private final ActorContext<HostedCommand> ctx;
  private final ActorRef<KubernetesCommand> gateway;
  private final HostedPublisher publisher;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  /** Seals the secret environment values before they are journaled, and hides them in the view. */
  private final HostedSecrets secrets;
  private final ReplicaSightings sightings;
  /** Traffic, not lifecycle: replaced by the actor only, started afresh with each incarnation. */
  private HostedScaling scaling;
  /** The replicas' pods that cannot pull their image, since when: replaced by the actor only, in memory. */
  private ReplicaImagePulls pulls = ReplicaImagePulls.none();

  private HostedServiceEntity(String name, ActorRef<KubernetesCommand> gateway, HostedPublisher publisher,
      HostedSettings settings, Sealer sealer, ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<HostedCommand> ctx) {
    super(PersistenceId.of(ENTITY_KEY.name(), name),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.name = name;
    this.settings = settings;
    this.ctx = ctx;
    this.gateway = gateway;
    this.publisher = publisher;
    this.shard = shard;
    this.secrets = new HostedSecrets(name, sealer, ctx.getLog());
    this.sightings = new ReplicaSightings(name, settings, ctx.getLog());
    this.scaling = HostedScaling.startingAt(settings.clock().instant());
  }

  /** Starts sharding for hosted services on this node; returns the shard region. */
  public static ActorRef<ShardingEnvelope<HostedCommand>> init(ActorSystem<?> system,
      ActorRef<KubernetesCommand> gateway, HostedPublisher publisher, HostedSettings settings, Sealer sealer) {
    return ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, entityContext ->
        create(entityContext.getEntityId(), gateway, publisher, settings, sealer, entityContext.getShard())));
  }

  /**
   * The behavior of one hosted service; {@code sealer} seals its secret environment values before
   * they are journaled, {@code shard} receives its Passivate requests.
   */
  public static Behavior<HostedCommand> create(String name, ActorRef<KubernetesCommand> gateway,
      HostedPublisher publisher, HostedSettings settings, Sealer sealer,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
      return Behaviors.setup(ctx -> new HostedServiceEntity(name, gateway, publisher, settings, sealer, shard, ctx));
    });
  }

  @Override
  public HostedState emptyState() {
    return new Empty(name, 0);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.disabled();
  }

  @Override
  public EventHandler<HostedState, HostedEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(HostedState::apply);
  }

  @Override
  public SignalHandler<HostedState> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::recovered).build();
  }

  /**
   * After a start (a failover, a rebalance, a node restart) the pods may have moved while nobody
   * listened: publish what is known, ask again for the pods not seen yet (the gateway answers an
   * existing one as created), delete what a deletion still has to, and look at the cache now.
   */
  private void recovered(HostedState state) {
    if (state instanceof Existing e) {
      ctx.getLog().info("hosted service {}: recovered in phase {} with {} replicas", name, e.phase(),
          e.replicas().size());
      publish(e);
      if (e instanceof Deleting d) {
        d.pods().forEach(this::deletePod);
      } else {
        e.replicas().bySlot().values().stream().filter(r -> r.live() && !r.observed())
            .forEach(r -> askCreate(e, r.slot(), r.generation()));
      }
      listPods();
    }
  }

  @Override
  public CommandHandlerWithReply<HostedCommand, HostedEvent, HostedState> commandHandler() {
    CommandHandlerWithReplyBuilderByState<HostedCommand, HostedEvent, HostedState, HostedState> any =
        newCommandHandlerWithReplyBuilder().forAnyState()
            .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), s instanceof Existing e
                ? new HostedReply.Found(secrets.shown(e.view())) : new HostedReply.NotFound(name)))
            .onCommand(PodCallAnswered.class, this::onPodCallAnswered);
    return newCommandHandlerWithReplyBuilder()
        .forStateType(Empty.class)
            .onCommand(Create.class, this::onCreate)
            .onCommand(Delete.class, (s, c) -> Effect().reply(c.replyTo(), noSuchService()))
            .onCommand(Restart.class, (s, c) -> Effect().reply(c.replyTo(), noSuchService()))
            .onCommand(ReportLoad.class, (s, c) -> Effect().noReply())
            .onCommand(PodObserved.class, (s, c) -> strayOfEmpty(c.pod()))
            .onCommand(PodGone.class, (s, c) -> Effect().noReply())
            .onCommand(PodsListed.class, (s, c) -> Effect().noReply())
            .onCommand(Tick.class, (s, c) -> passivate())
        .orElse(running(Active.class))
        .orElse(running(Restarting.class))
        .orElse(newCommandHandlerWithReplyBuilder().forStateType(Deleting.class)
            .onCommand(Create.class, (s, c) -> Effect().reply(c.replyTo(),
                new CommandReply.Conflict("hosted service " + name + " is being deleted; create it again once it is gone")))
            .onCommand(Delete.class, (s, c) -> Effect().reply(c.replyTo(), new CommandReply.Accepted("being deleted")))
            .onCommand(Restart.class, (s, c) -> Effect().reply(c.replyTo(),
                new CommandReply.Conflict("hosted service " + name + " is being deleted")))
            .onCommand(ReportLoad.class, (s, c) -> Effect().noReply())
            .onCommand(PodObserved.class, this::onDeletingObserved)
            .onCommand(PodGone.class, (s, c) -> removed(s, Set.of(c.lastKnown().podName())))
            .onCommand(PodsListed.class, this::onDeletingListed)
            .onCommand(Tick.class, (s, c) -> {
              listPods();
              return Effect().noReply();
            }))
        .orElse(any)
        .build();
  }

  /** The commands of a service that exists and is not being deleted: Active and Restarting. */
  private <S extends Existing> CommandHandlerWithReplyBuilderByState<HostedCommand, HostedEvent, S, HostedState>
      running(Class<S> type) {
    return newCommandHandlerWithReplyBuilder().forStateType(type)
        .onCommand(Create.class, (s, c) ->
            Effect().reply(c.replyTo(), secrets.createdAgain(s.spec(), c.spec())))
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Restart.class, this::onRestart)
        .onCommand(ReportLoad.class, this::onReportLoad)
        .onCommand(PodObserved.class, this::onObserved)
        .onCommand(PodGone.class, (s, c) -> follow(s, sightings.gone(s, c.lastKnown(), now())))
        .onCommand(PodsListed.class, this::onListed)
        .onCommand(Tick.class, this::onTick);
  }

  // ---- Empty ----

  private ReplyEffect<HostedEvent, HostedState> onCreate(Empty s, Create c) {
    if (!name.equals(c.spec().name())) {
      return Effect().reply(c.replyTo(), new CommandReply.Rejected("the spec names " + c.spec().name()
          + ", not this service (" + name + ")"));
    }
    List<String> problems = HostedSpecCheck.problems(c.spec(), settings.maxReplicas());
    if (!problems.isEmpty()) {
      ctx.getLog().info("hosted service {}: create rejected: {}", name, problems);
      return Effect().reply(c.replyTo(), new CommandReply.Rejected("the service " + String.join("; it ", problems)));
    }
    Instant at = now();
    List<HostedEvent> events = new ArrayList<>();
    events.add(new HostedCreated(name, secrets.sealed(c.spec()), at));
    for (int slot = 0; slot < c.spec().replicas().min(); slot++) {
      events.add(new ReplicaStarted(name, slot, s.generationFloor(), at));
    }
    ctx.getLog().info("hosted service {}: created with {} replicas of {}", name, c.spec().replicas().min(),
        c.spec().image());
    scaling = HostedScaling.startingAt(at);
    return persist(s, events, c.replyTo(), new CommandReply.Accepted("created"));
  }

  /** A pod of this name while no service has it (left by an earlier incarnation): deleted. */
  private ReplyEffect<HostedEvent, HostedState> strayOfEmpty(HostedPod pod) {
    if (!pod.terminating()) {
      ctx.getLog().info("hosted service {}: deleting pod {}, which no service of this name owns", name, pod.podName());
      deletePod(pod.podName());
    }
    return Effect().noReply();
  }

  private ReplyEffect<HostedEvent, HostedState> passivate() {
    shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    return Effect().noReply();
  }

  // ---- Active and Restarting ----

  private ReplyEffect<HostedEvent, HostedState> onDelete(Existing s, Delete c) {
    List<String> pods = s.replicas().allPods();
    ctx.getLog().info("hosted service {}: deleting its pods {}", name, pods);
    List<HostedEvent> events = new ArrayList<>(List.of(new DeletionStarted(name, pods, now())));
    if (pods.isEmpty()) {
      events.add(new HostedDeleted(name, now()));
    }
    return persist(s, events, c.replyTo(), new CommandReply.Accepted("deleting"));
  }

  private ReplyEffect<HostedEvent, HostedState> onRestart(Existing s, Restart c) {
    if (s instanceof Restarting) {
      return Effect().reply(c.replyTo(), new CommandReply.Conflict("hosted service " + name
          + " is restarting already"));
    }
    List<Integer> slots = List.copyOf(s.replicas().bySlot().keySet());
    ctx.getLog().info("hosted service {}: restarting replicas {} one at a time", name, slots);
    return persist(s, List.of(new RestartStarted(name, slots, now())), c.replyTo(),
        new CommandReply.Accepted("restarting"));
  }

  private ReplyEffect<HostedEvent, HostedState> onReportLoad(Existing s, ReportLoad c) {
    HostedScaling.Step step = scaling.reported(name, s, c, now(), settings);
    scaling = step.next();
    if (!step.events().isEmpty() && step.events().get(0) instanceof Scaled up) {
      ctx.getLog().info("hosted service {}: scaling up to {} replicas ({})", name, up.replicas(), up.reason());
    }
    return persist(s, step.events());
  }

  private ReplyEffect<HostedEvent, HostedState> onTick(Existing s, Tick c) {
    Instant at = now();
    listPods();
    List<HostedEvent> events = new ArrayList<>(ReplicaReplacements.due(name, s, at));
    HostedState state = s;
    for (HostedEvent e : events) {
      state = state.apply(e);
    }
    List<HostedEvent> down = scaling.idleScaleDown(name, state, at);
    if (!down.isEmpty() && down.get(0) instanceof Scaled d) {
      ctx.getLog().info("hosted service {}: scaling down to {} replicas ({})", name, d.replicas(), d.reason());
    }
    events.addAll(down);
    return persist(s, events);
  }

  private ReplyEffect<HostedEvent, HostedState> onObserved(Existing s, PodObserved c) {
    Instant at = now();
    pulls = sightings.watchPulls(s, pulls, c.pod(), at);
    return follow(s, sightings.observed(s, c.pod(), pulls, at));
  }

  private ReplyEffect<HostedEvent, HostedState> onListed(Existing s, PodsListed c) {
    Instant at = now();
    pulls = sightings.watchPulls(s, pulls, c.pods(), at);
    return follow(s, sightings.listed(s, c.pods(), pulls, at));
  }

  /** Does the calls of a sighting's {@code outcome} and persists its events. */
  private ReplyEffect<HostedEvent, HostedState> follow(Existing s, ReplicaSightings.Outcome outcome) {
    outcome.deletes().forEach(this::deletePod);
    outcome.askAgain().forEach(r -> askCreate(s, r.slot(), r.generation()));
    return persist(s, outcome.events());
  }

  // ---- Deleting ----

  private ReplyEffect<HostedEvent, HostedState> onDeletingObserved(Deleting s, PodObserved c) {
    HostedPod pod = c.pod();
    if (!pod.terminating()) {
      deletePod(pod.podName());
    }
    return Effect().noReply();
  }

  private ReplyEffect<HostedEvent, HostedState> onDeletingListed(Deleting s, PodsListed c) {
    if (!c.pods().synced()) {
      return Effect().noReply();
    }
    Set<String> listed = c.pods().pods().stream().map(HostedPod::podName).collect(Collectors.toSet());
    c.pods().pods().stream().filter(p -> !p.terminating()).forEach(p -> deletePod(p.podName()));
    Set<String> gone = s.pods().stream().filter(p -> !listed.contains(p)).collect(Collectors.toSet());
    return removed(s, gone);
  }

  private ReplyEffect<HostedEvent, HostedState> removed(Deleting s, Set<String> gone) {
    Instant at = now();
    List<HostedEvent> events = new ArrayList<>();
    Set<String> left = new java.util.HashSet<>(s.pods());
    for (String pod : gone) {
      if (left.remove(pod)) {
        events.add(new PodRemoved(name, pod, at));
      }
    }
    if (events.isEmpty()) {
      return Effect().noReply();
    }
    if (left.isEmpty()) {
      events.add(new HostedDeleted(name, at));
    }
    return persist(s, events);
  }

  // ---- answers of the gateway ----

  /** A queued call is logged; a failed one is for {@link ReplicaSightings#callFailed} to judge. */
  private ReplyEffect<HostedEvent, HostedState> onPodCallAnswered(HostedState s, PodCallAnswered c) {
    PodCallResult result = c.result();
    if (result instanceof PodCallResult.Queued q) {
      ctx.getLog().info("hosted service {}: pod {} waits for admission at position {} ({})", name, q.podName(),
          q.position(), q.reason());
    } else if (result instanceof PodCallResult.Failed f) {
      return persist(s, sightings.callFailed(s, f, now()).events());
    }
    return Effect().noReply();
  }

  // ---- persisting and what follows ----

  /**
   * Persists {@code events} plus what they lead to in a restart (the next slot's new pod, or the
   * restart's end), then does what the persisted events call for: ask for new pods, delete old
   * ones, publish to the proxies, and stop once deleted.
   */
  private ReplyEffect<HostedEvent, HostedState> persist(HostedState s, List<HostedEvent> given) {
    return given.isEmpty() ? Effect().noReply() : effect(s, given).thenNoReply();
  }

  /** {@link #persist}, answering {@code reply} once persisted. */
  private ReplyEffect<HostedEvent, HostedState> persist(HostedState s, List<HostedEvent> given,
      ActorRef<CommandReply> replyTo, CommandReply reply) {
    return effect(s, given).thenReply(replyTo, st -> reply);
  }

  private EffectBuilder<HostedEvent, HostedState> effect(HostedState s, List<HostedEvent> given) {
    List<HostedEvent> events = new ArrayList<>(given);
    HostedState state = s;
    for (HostedEvent e : events) {
      state = state.apply(e);
    }
    for (HostedEvent next : ReplicaReplacements.restartSteps(name, state, now())) {
      if (next instanceof RestartFinished) {
        ctx.getLog().info("hosted service {}: restart finished", name);
      }
      events.add(next);
    }
    HostedState before = s;
    List<HostedEvent> persisted = List.copyOf(events);
    return Effect().persist(persisted).thenRun(after -> afterPersist(before, after, persisted));
  }

  private void afterPersist(HostedState before, HostedState after, List<HostedEvent> events) {
    for (HostedPodCalls.Call call : HostedPodCalls.after(name, before, after, events)) {
      if (call instanceof HostedPodCalls.Create create && after instanceof Existing ex) {
        askCreate(ex, create.slot(), create.generation());
      } else if (call instanceof HostedPodCalls.Delete delete) {
        deletePod(delete.pod());
      }
    }
    if (after instanceof Existing ex) {
      pulls = pulls.retain(ex.replicas().livePods());
      publish(ex);
    } else {
      pulls = ReplicaImagePulls.none();
      publisher.remove(name);
    }
    if (after instanceof Empty) {
      ctx.getLog().info("hosted service {}: every pod is gone; the service has ended", name);
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
  }

  /** While deleting it is still listed, with no replica in the rotation; removed once it has ended. */
  private void publish(Existing e) {
    publisher.publish(e.endpoint());
  }

  private void askCreate(Existing e, int slot, long generation) {
    gateway.tell(new KubernetesCommand.CreateHostedPod(e.spec(), slot, generation, podCalls()));
  }

  private void deletePod(String pod) {
    gateway.tell(new KubernetesCommand.DeletePod(pod, podCalls()));
  }

  private ActorRef<PodCallResult> podCalls() {
    return ctx.messageAdapter(PodCallResult.class, PodCallAnswered::new);
  }

  private void listPods() {
    gateway.tell(new KubernetesCommand.ListHostedPods(name, ctx.messageAdapter(HostedPods.class, PodsListed::new)));
  }

  private CommandReply noSuchService() {
    return new CommandReply.Rejected("no hosted service " + name);
  }

  private Instant now() {
    return settings.clock().instant();
  }
}
