package dev.tugboat.k8s;

import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The one actor per node that uses the fabric8 client (docs/architecture.md, "Kubernetes
 * gateway"). It receives a command, asks its parts, starts the calls they allow on its
 * {@link CallPool} and replies once with the final outcome: {@link GatewayAdmission} starts or
 * queues each create as {@link Admission} decides, {@link CallQueue} which call is next (one per
 * pod, a repeated create or delete joining the pod's latest), {@link Pacing} whether its kind may
 * start now, {@link RetryDecision} what follows a transient failure, and {@link PodInformer}
 * tells each {@code ServiceEntity} what its pod does and answers {@code LookupPod} from its cache.
 * A pod with secret environment variables gets its Secret within the same create call
 * ({@link PodCalls}), so a create is answered as done only when both exist.
 */
public final class KubernetesGateway extends AbstractBehavior<KubernetesCommand> {

  /** The gateway's own messages: call results, due retries, rate-limit and informer ticks. */
  private record CallDone(Call call, CallOutcome outcome) implements KubernetesCommand.Private {}

  private record RetryDue(Call call) implements KubernetesCommand.Private {}

  private enum DispatchTick implements KubernetesCommand.Private { INSTANCE }

  private record InformerSynced(int generation) implements KubernetesCommand.Private {}

  private record InformerStopped(int generation, Throwable cause) implements KubernetesCommand.Private {}

  private record RestartInformer(int generation) implements KubernetesCommand.Private {}

  /** The informer saw the pod: live (counts against the admission limit) or ended/being deleted/gone. */
  private record PodLiveness(String podName, boolean live) implements KubernetesCommand.Private {}

  private enum AdmissionTick implements KubernetesCommand.Private { INSTANCE }

  private enum WarmUpTimeout implements KubernetesCommand.Private { INSTANCE }

  private static final String DISPATCH_TIMER = "dispatch";
  private static final String INFORMER_TIMER = "informer-restart";
  private static final String PAUSE_TIMER = "pause";
  private static final String ADMISSION_TIMER = "admission";
  private static final String DELETE_PACE_TIMER = "delete-pace";
  private static final String WARM_UP_TIMER = "warm-up";

  private final KubernetesSettings settings;
  private final TimerScheduler<KubernetesCommand> timers;
  private final PodFactory podFactory;
  private final HostedPodFactory hostedPodFactory;
  private final PodCalls podCalls;
  private final CallPool pool;
  private final GatewayMetrics metrics;
  private final CallQueue<Call, ActorRef<PodCallResult>> calls = new CallQueue<>();
  private final Pacing pacing;
  private final GatewayAdmission admission;
  private final PodInformer informer;
  private final PodInformerStatus informerStatus;
  private final GatewayWarmUp warmUp;
  private int inFlight;

  /** A gateway without a key: a pod with sealed variables cannot be created (the create fails). */
  public static Behavior<KubernetesCommand> create(KubernetesSettings settings, KubernetesClient client,
                                                   EntityDirectory directory, MeterRegistry registry) {
    return create(settings, client, directory, registry, null);
  }

  /** A gateway that opens sealed variables with {@code sealer} for the pods' Secrets. */
  public static Behavior<KubernetesCommand> create(KubernetesSettings settings, KubernetesClient client,
                                                   EntityDirectory directory, MeterRegistry registry, Sealer sealer) {
    return create(settings, client, directory, registry, sealer, new PodInformerStatus());
  }

  /** As above, keeping {@code informerStatus} up to date for readers outside the actor (readiness). */
  public static Behavior<KubernetesCommand> create(KubernetesSettings settings, KubernetesClient client,
                                                   EntityDirectory directory, MeterRegistry registry, Sealer sealer,
                                                   PodInformerStatus informerStatus) {
    return create(settings, client, directory, registry, sealer, informerStatus, KubernetesWarmUp.none());
  }

  /** As above, running {@code warmUp} first thing (a node's start-up warm-up; its readiness waits for it). */
  public static Behavior<KubernetesCommand> create(KubernetesSettings settings, KubernetesClient client,
                                                   EntityDirectory directory, MeterRegistry registry, Sealer sealer,
                                                   PodInformerStatus informerStatus, KubernetesWarmUp warmUp) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new KubernetesGateway(ctx, timers, settings, client, directory, registry, sealer, informerStatus, warmUp)));
  }

  private KubernetesGateway(ActorContext<KubernetesCommand> ctx, TimerScheduler<KubernetesCommand> timers,
                            KubernetesSettings settings, KubernetesClient client, EntityDirectory directory,
                            MeterRegistry registry, Sealer sealer, PodInformerStatus informerStatus,
                            KubernetesWarmUp warmUp) {
    super(ctx);
    this.informerStatus = informerStatus;
    this.settings = settings;
    this.timers = timers;
    this.podFactory = new PodFactory(settings);
    this.hostedPodFactory = new HostedPodFactory(settings);
    this.metrics = new GatewayMetrics(registry);
    this.podCalls = new PodCalls(client, settings, podFactory, hostedPodFactory, sealer, metrics);
    this.pool = new CallPool(settings.maxConcurrentCalls());
    this.warmUp = new GatewayWarmUp(warmUp, podFactory, podCalls, settings.maxConcurrentCalls(), this::submit,
        ctx.getLog());
    this.pacing = Pacing.of(settings, System::nanoTime);
    this.admission = new GatewayAdmission(settings, metrics, this::startCreate,
        delay -> timers.startSingleTimer(ADMISSION_TIMER, AdmissionTick.INSTANCE, delay), ctx.getLog());
    ActorRef<KubernetesCommand> self = ctx.getSelf();
    this.informer = new PodInformer(client, settings, directory, (pod, live) -> self.tell(new PodLiveness(pod, live)));
    admission.gauges();
    ctx.getLog().info("Kubernetes gateway starting: {} API server, namespace {}", settings.mode().configName(),
        settings.namespace());
    watch(informer.start());
    if (this.warmUp.start()) {
      timers.startSingleTimer(WARM_UP_TIMER, WarmUpTimeout.INSTANCE, this.warmUp.timeout());
    }
  }

  @Override
  public Receive<KubernetesCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(KubernetesCommand.CreatePod.class, this::onCreate)
        .onMessage(KubernetesCommand.CreateHostedPod.class, this::onCreateHosted)
        .onMessage(KubernetesCommand.ListHostedPods.class, this::onListHostedPods)
        .onMessage(KubernetesCommand.DeletePod.class, this::onDelete)
        .onMessage(KubernetesCommand.ReadPodLog.class, this::onReadLog)
        .onMessage(KubernetesCommand.LookupPod.class, this::onLookup)
        .onMessage(KubernetesCommand.ListOwnPods.class, this::onListOwnPods)
        .onMessage(CallDone.class, this::onCallDone)
        .onMessage(RetryDue.class, this::onRetryDue)
        .onMessageEquals(DispatchTick.INSTANCE, this::dispatch)
        .onMessage(InformerSynced.class, this::onInformerSynced)
        .onMessage(InformerStopped.class, this::onInformerStopped)
        .onMessage(RestartInformer.class, this::onRestartInformer)
        .onMessage(PodLiveness.class, this::onPodLiveness)
        .onMessageEquals(AdmissionTick.INSTANCE, this::onAdmissionTick)
        .onMessageEquals(WarmUpTimeout.INSTANCE, this::onWarmUpTimeout)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  // ---- commands ----

  private Behavior<KubernetesCommand> onCreate(KubernetesCommand.CreatePod cmd) {
    return create(new PodOrder.ModelPod(cmd.spec()), cmd.replyTo());
  }

  private Behavior<KubernetesCommand> onCreateHosted(KubernetesCommand.CreateHostedPod cmd) {
    return create(new PodOrder.HostedReplica(cmd.spec(), cmd.slot(), cmd.generation()), cmd.replyTo());
  }

  private Behavior<KubernetesCommand> create(PodOrder order, ActorRef<PodCallResult> replyTo) {
    if (admission.askedAgain(order, replyTo) || join(CallKind.CREATE, order.podName(), replyTo)) {
      return this;
    }
    admission.ask(order, replyTo);
    return this;
  }

  private Behavior<KubernetesCommand> onDelete(KubernetesCommand.DeletePod cmd) {
    String name = cmd.podName();
    // A create still waiting for admission never started; it must not start after the delete.
    admission.withdraw(name);
    if (join(CallKind.DELETE, name, cmd.replyTo())) {
      return this;
    }
    var mutation = calls.startMutation(CallKind.DELETE, name);
    submit(Call.first(CallKind.DELETE, name, () -> podCalls.delete(name),
        outcome -> reply(name, mutation, cmd.replyTo(), outcome.toCallResult(name)), null, mutation));
    return this;
  }

  private Behavior<KubernetesCommand> onReadLog(KubernetesCommand.ReadPodLog cmd) {
    String name = cmd.podName();
    int tail = Math.max(1, cmd.tailLines());
    submit(Call.first(CallKind.LOG, name, () -> podCalls.readLog(name, tail),
        outcome -> cmd.replyTo().tell(outcome.toLogResult(name)), null, null));
    return this;
  }

  private Behavior<KubernetesCommand> onLookup(KubernetesCommand.LookupPod cmd) {
    cmd.replyTo().tell(informer.lookup(cmd.podName()));
    return this;
  }

  private Behavior<KubernetesCommand> onListHostedPods(KubernetesCommand.ListHostedPods cmd) {
    cmd.replyTo().tell(informer.hostedPods(cmd.service()));
    return this;
  }

  private Behavior<KubernetesCommand> onListOwnPods(KubernetesCommand.ListOwnPods cmd) {
    cmd.replyTo().tell(informer.ownPods());
    return this;
  }

  // ---- starting calls ----

  private void submit(Call call) {
    calls.submit(call);
    dispatch();
  }

  /** Starts ready calls, kind by kind in dispatch order, as far as the pool and the pacing allow. */
  private Behavior<KubernetesCommand> dispatch() {
    long resumeIn = Long.MAX_VALUE;
    kinds:
    for (CallKind kind : CallKind.DISPATCH_ORDER) {
      if (calls.isEmpty(kind)) {
        continue;
      }
      Pacing.Wait paused = pacing.paused(kind);
      if (paused.hold() != Pacing.Hold.NONE) {
        resumeIn = Math.min(resumeIn, paused.nanos());
        continue;
      }
      while (inFlight < settings.maxConcurrentCalls() && !calls.isEmpty(kind)) {
        Pacing.Wait wait = pacing.tryStart(kind, calls.peek(kind).tokens());
        if (wait.hold() == Pacing.Hold.DELETES_PACED) {
          lookAgain(DELETE_PACE_TIMER, wait.nanos());
          continue kinds;
        }
        if (wait.hold() == Pacing.Hold.RATE_LIMITED) {
          lookAgain(DISPATCH_TIMER, wait.nanos());
          break kinds;
        }
        start(calls.poll(kind));
      }
    }
    if (resumeIn != Long.MAX_VALUE) {
      lookAgain(PAUSE_TIMER, resumeIn);
    }
    metrics.calls(inFlight, calls.queued());
    return this;
  }

  /** Dispatches again when the wait is over (one timer per reason to wait, not re-armed while it runs). */
  private void lookAgain(String timer, long nanos) {
    if (!timers.isTimerActive(timer)) {
      timers.startSingleTimer(timer, DispatchTick.INSTANCE, Duration.ofNanos(Math.max(1_000_000, nanos)));
    }
  }

  private void start(Call call) {
    inFlight++;
    getContext().pipeToSelf(pool.run(call.operation()), (outcome, failure) ->
        new CallDone(call, failure != null ? ApiErrors.classify(failure) : outcome));
  }

  // ---- call outcomes ----

  private Behavior<KubernetesCommand> onCallDone(CallDone done) {
    inFlight--;
    Call call = done.call();
    CallOutcome outcome = done.outcome();
    if (call.kind() == CallKind.WARM_UP) {
      // Best effort, never retried: a failure only ends the warm-up sooner.
      metrics.call(call.kind(), outcome instanceof CallOutcome.Done ? "ok" : "failed");
      finish(call, outcome);
    } else if (call.create() != null && outcome instanceof CallOutcome.Retryable r && r.httpStatus() == 403) {
      // ApiErrors makes a 403 retryable only for "exceeded quota": learn the limit and wait in
      // the admission queue, where waiting does not count toward give-up-after.
      quotaRefused(call, r.reason());
    } else if (outcome instanceof CallOutcome.Retryable r) {
      retryOrGiveUp(call, r);
    } else {
      metrics.call(call.kind(), outcome instanceof CallOutcome.Done ? "ok" : "failed");
      if (outcome instanceof CallOutcome.Fatal f) {
        getContext().getLog().warn("Kubernetes {} of pod {} failed: HTTP {} {}",
            call.kind().tag, call.podName(), f.httpStatus(), f.reason());
      }
      finish(call, outcome);
    }
    return dispatch();
  }

  private void retryOrGiveUp(Call call, CallOutcome.Retryable r) {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - call.firstAttemptNanos());
    RetryDecision decision = RetryDecision.after(settings.retry(), call.attempt(), elapsed, r, ThreadLocalRandom.current());
    if (decision instanceof RetryDecision.GiveUp giveUp) {
      metrics.call(call.kind(), "failed");
      getContext().getLog().warn("Kubernetes {} of pod {} gave up after {} attempts: HTTP {} {}",
          call.kind().tag, call.podName(), call.attempt() + 1, r.httpStatus(), r.reason());
      finish(call, giveUp.outcome());
      return;
    }
    metrics.call(call.kind(), "retry");
    metrics.retry(call.kind());
    if (decision instanceof RetryDecision.PauseKind pause) {
      long grown = pacing.pauseKind(call.kind(), pause.delay());
      if (grown >= 0) {
        metrics.paused(call.kind(), grown);
        getContext().getLog().info("Kubernetes {} calls paused for {} ms by HTTP 429", call.kind().tag,
            pause.delay().toMillis());
      }
      // Back at the head of the queue; it starts when the pause of its kind is over.
      calls.putBack(call.nextAttempt());
    } else {
      Duration delay = ((RetryDecision.RetryAfter) decision).delay();
      getContext().getLog().info("Kubernetes {} of pod {} failed (HTTP {} {}); retry {} in {} ms",
          call.kind().tag, call.podName(), r.httpStatus(), r.reason(), call.attempt() + 1, delay.toMillis());
      getContext().scheduleOnce(delay, getContext().getSelf(), new RetryDue(call.nextAttempt()));
    }
  }

  private Behavior<KubernetesCommand> onRetryDue(RetryDue due) {
    calls.retry(due.call());
    return dispatch();
  }

  /** The call's final outcome: to its askers, to admission, and the pod's next call may start. */
  private void finish(Call call, CallOutcome outcome) {
    call.finish().accept(outcome);
    admission.callFinished(call, outcome);
    calls.release(call.podName());
  }

  /**
   * Joins the pod's latest create or delete if it is of this kind and not finished: the asker gets
   * its outcome. A create asked after a delete (or the reverse) never joins an earlier one.
   */
  private boolean join(CallKind kind, String podName, ActorRef<PodCallResult> asker) {
    if (!calls.join(kind, podName, asker)) {
      return false;
    }
    getContext().getLog().debug("Kubernetes {} of pod {} asked again while queued or running: joined", kind.tag, podName);
    return true;
  }

  /** The outcome of a create or delete, to its asker and to everyone who joined it. */
  private void reply(String podName, CallQueue.Mutation<ActorRef<PodCallResult>> mutation,
                     ActorRef<PodCallResult> asker, PodCallResult result) {
    List<ActorRef<PodCallResult>> joined = calls.finishMutation(podName, mutation);
    asker.tell(result);
    joined.forEach(a -> a.tell(result));
  }

  // ---- admission ----

  private void startCreate(CreateRequest request) {
    String name = request.podName();
    Supplier<CallOutcome> operation;
    if (request.order() instanceof PodOrder.HostedReplica h) {
      Pod pod = hostedPodFactory.podFor(h.spec(), h.slot(), h.generation());
      operation = () -> podCalls.createHosted(pod, h.spec(), h.slot(), h.generation());
    } else {
      ServiceSpec spec = ((PodOrder.ModelPod) request.order()).spec();
      Pod pod = podFactory.podFor(spec);
      operation = () -> podCalls.create(pod, spec);
    }
    var mutation = calls.startMutation(CallKind.CREATE, name);
    // A fresh call: time spent queued for admission does not count toward give-up-after.
    submit(Call.first(CallKind.CREATE, name, operation,
        outcome -> reply(name, mutation, request.replyTo(), outcome.toCallResult(name)), request, mutation));
  }

  /**
   * A create refused for quota: admission learns the limit, and the create goes back to the
   * admission queue (answering the latest asker, as for a create asked again while queued).
   */
  private void quotaRefused(Call call, String reason) {
    metrics.call(CallKind.CREATE, "quota");
    String name = call.podName();
    if (calls.deleteAskedSince(name, call.mutation())) {
      // The pod's delete was asked while this create was on its way (it waits behind it): back
      // in the admission queue, the create would make the pod after its delete, an orphan.
      admission.quotaRefusedWithdrawn(name, reason);
      finish(call, new CallOutcome.Fatal(0, "withdrawn: the pod was deleted while its create was refused for quota"));
      admission.gauges();
      return;
    }
    calls.release(name);
    List<ActorRef<PodCallResult>> joined = calls.finishMutation(name, call.mutation());
    CreateRequest request = call.create();
    if (!joined.isEmpty()) {
      request = request.askedAgainBy(joined.get(joined.size() - 1), request.order());
    }
    admission.quotaRefused(request, reason);
  }

  private Behavior<KubernetesCommand> onPodLiveness(PodLiveness m) {
    admission.seen(m.podName(), m.live());
    return this;
  }

  private Behavior<KubernetesCommand> onAdmissionTick() {
    admission.admitFromQueue();
    return this;
  }

  // ---- the start-up warm-up (GatewayWarmUp) ----

  private Behavior<KubernetesCommand> onWarmUpTimeout() {
    warmUp.cutShort("not done within " + warmUp.timeout());
    return this;
  }

  // ---- the informer ----

  private void watch(PodInformer.Started started) {
    int generation = started.generation();
    // Mapped to a non-null value: a Void result reaching a stopped gateway would be a null dead letter.
    getContext().pipeToSelf(started.synced().thenApply(v -> generation), (v, e) ->
        e == null ? new InformerSynced(generation) : new InformerStopped(generation, e));
    getContext().pipeToSelf(started.stopped().thenApply(v -> generation), (v, e) -> new InformerStopped(generation, e));
  }

  private Behavior<KubernetesCommand> onInformerSynced(InformerSynced m) {
    if (informer.synced(m.generation())) {
      informerStatus.synced();
      admission.synced(informer.liveness());
      getContext().getLog().info("Pod informer synced on namespace {} (deployment {})",
          settings.namespace(), settings.deploymentId());
    }
    return this;
  }

  private Behavior<KubernetesCommand> onInformerStopped(InformerStopped m) {
    if (informer.isCurrent(m.generation())) {
      informerStatus.notSynced("the pod informer stopped (" + (m.cause() == null ? "no error" : m.cause())
          + ") and restarts after a backoff");
    }
    informer.stopped(m.generation(), timers.isTimerActive(INFORMER_TIMER), ThreadLocalRandom.current())
        .ifPresent(delay -> {
          getContext().getLog().warn("Pod informer stopped ({}); restart {} in {} ms", m.cause() == null
              ? "no error" : m.cause().toString(), informer.failures(), delay.toMillis());
          timers.startSingleTimer(INFORMER_TIMER, new RestartInformer(m.generation()), delay);
        });
    return this;
  }

  private Behavior<KubernetesCommand> onRestartInformer(RestartInformer m) {
    informer.restart(m.generation()).ifPresent(started -> {
      metrics.informerRestarted();
      watch(started);
    });
    return this;
  }

  private Behavior<KubernetesCommand> onPostStop() {
    informerStatus.notSynced("the Kubernetes gateway stopped");
    warmUp.cutShort("the Kubernetes gateway stopped");
    informer.stop();
    pool.shutdownNow();
    return this;
  }
}
