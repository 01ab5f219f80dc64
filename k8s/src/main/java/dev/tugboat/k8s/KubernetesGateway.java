package dev.tugboat.k8s;

import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.SealedValueException;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodLogResult;
import dev.tugboat.protocol.kubernetes.OwnPods;
import dev.tugboat.protocol.kubernetes.PodLookupResult;
import dev.tugboat.protocol.service.ServiceCommand;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.api.model.PodList;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one actor per node that uses the fabric8 client. It runs the blocking calls on its own
 * bounded pool (never more than max-concurrent-calls in flight, beyond that a queue per kind
 * of call with deletes and log reads ahead of creates, creates taking turns by simulation, at most one call per pod at a time, a
 * repeated create or delete joining the queued one, optional token bucket, and deletes paced by a
 * bucket of their own while other kinds go ahead), retries transient
 * failures with jittered exponential backoff until give-up-after, and replies once with the final
 * outcome. Its pod informer tells
 * each {@code ServiceEntity} what its pod does, and answers {@code LookupPod} from its cache.
 * Creates pass an admission limit first (a configured cap on live pods, or a limit learnt from
 * "exceeded quota" answers); beyond it they wait in a queue where simulations take turns (first
 * asked, first admitted within one) and the caller gets {@code Queued} until the final outcome.
 * A pod with secret environment variables gets its Secret (the sealed values opened with the
 * node's {@link Sealer}) right after the pod exists, within the same create call, so a create is
 * answered as done only when both exist, and a Secret never exists without its owner pod.
 */
public final class KubernetesGateway extends AbstractBehavior<KubernetesCommand> {

  private static final Logger CALLBACK_LOG = LoggerFactory.getLogger(KubernetesGateway.class);

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

  /** A create as asked: seq orders the admission queue (first asked, first admitted). */
  private record CreateRequest(ServiceSpec spec, ActorRef<PodCallResult> replyTo, long seq) {
    CreateRequest askedAgainBy(ActorRef<PodCallResult> newReplyTo, ServiceSpec newSpec) {
      return new CreateRequest(newSpec, newReplyTo, seq);
    }
  }

  /** The kinds of call, as tagged in the metrics. */
  private enum Kind {
    CREATE("create"), DELETE("delete"), LOG("log"), GET("get");

    final String tag;

    Kind(String tag) {
      this.tag = tag;
    }
  }

  /**
   * One queued or running call; attempt counts the tries made so far; create is set on creates only;
   * mutation on creates and deletes only.
   */
  private record Call(Kind kind, String podName, Supplier<CallOutcome> operation, Consumer<CallOutcome> finish,
                      long firstAttemptNanos, int attempt, CreateRequest create, Mutation mutation) {
    Call nextAttempt() {
      return new Call(kind, podName, operation, finish, firstAttemptNanos, attempt + 1, create, mutation);
    }
  }

  /**
   * A create or delete of a pod, not finished yet, and the askers who asked for the same again while
   * it was the pod's latest create or delete: they join it instead of queueing a second call (a
   * caller whose ask timed out behind a long queue would otherwise add one call per retry, and
   * lengthen the queue it is waiting in). Identity matters, so not a record.
   */
  private static final class Mutation {
    final Kind kind;
    final List<ActorRef<PodCallResult>> alsoAsked = new ArrayList<>();

    Mutation(Kind kind) {
      this.kind = kind;
    }
  }

  private static final List<Kind> DISPATCH_ORDER = List.of(Kind.LOG, Kind.DELETE, Kind.GET, Kind.CREATE);
  private static final String DISPATCH_TIMER = "dispatch";
  private static final String INFORMER_TIMER = "informer-restart";
  private static final String PAUSE_TIMER = "pause";
  private static final String ADMISSION_TIMER = "admission";
  private static final String DELETE_PACE_TIMER = "delete-pace";

  private final KubernetesSettings settings;
  private final KubernetesClient client;
  private final EntityDirectory directory;
  private final TimerScheduler<KubernetesCommand> timers;
  private final PodFactory podFactory;
  /** Opens sealed values for the pods' Secrets; null: this node has no key (such a create fails). */
  private final Sealer sealer;
  private final ExecutorService executor;
  private final TokenBucket bucket;
  /** Deletes' own bucket (see {@link KubernetesSettings.DeletePace}); null = not paced. */
  private final TokenBucket deleteBucket;
  private final MeterRegistry registry;
  private final AtomicInteger inFlightGauge;
  private final AtomicInteger queuedGauge;
  private final Counter informerRestarts;
  private final Map<String, Counter> callCounters = new ConcurrentHashMap<>();
  private final Map<Kind, Counter> retries = new EnumMap<>(Kind.class);
  private final Map<Kind, Counter> pausedSeconds = new EnumMap<>(Kind.class);
  private final Map<Kind, Long> pausedUntil = new EnumMap<>(Kind.class);

  /** Per pod, its latest create or delete while that call has not finished. */
  private final Map<String, Mutation> latestMutation = new HashMap<>();
  /**
   * Calls ready to start, one queue per kind (creates take turns by simulation, the other kinds are
   * first in, first out), started in {@link #DISPATCH_ORDER}: calls on pods
   * that exist (log, delete, get) before creates. Those are bounded by the pods that exist and end
   * work already done (a log read completes a termination report the SO waits for, a delete frees
   * quota); creates are not bounded, and thousands of them in one FIFO held every delete and log
   * read back for minutes (KubernetesPressureIT). Log reads go first: in a burst of terminations
   * each model's delete is asked only after its log was read, so behind the deletes of the models
   * before it a log read would wait for work no SO waits for. A kind paused by a 429 is skipped whole.
   */
  private final Map<Kind, FairQueue<Call>> ready = new EnumMap<>(Kind.class);
  /** Orders of the ready queues: appended calls count up from here, calls put back at the head down. */
  private long readyTail;
  private long readyHead;
  private final Map<String, ArrayDeque<Call>> waitingByPod = new HashMap<>();
  private final Set<String> busyPods = new HashSet<>();
  private int inFlight;

  // Admission (see docs/architecture.md, "Admission"). Live pods as the informer reports them;
  // admitted creates count too until the informer has seen their pod (or they failed).
  private final Set<String> livePods = new HashSet<>();
  private final Set<String> admitted = new HashSet<>();
  private final Set<String> createdUnseen = new HashSet<>();
  /** Pod names waiting for admission, in turn by simulation and by first-asked order within one. */
  private final FairQueue<String> admissionOrder = new FairQueue<>();
  private final Map<String, CreateRequest> admissionQueue = new HashMap<>();
  private final AtomicInteger admissionQueuedGauge;
  private final AtomicInteger admissionLimitGauge;
  private final AtomicInteger atQuotaGauge;
  private long nextCreateSeq;
  /** Limit learnt from "exceeded quota"; 0 = none. */
  private int learntLimit;
  private int successesSinceLearnt;
  private int quotaRefusals;
  /** After a quota refusal no create is admitted before this (System.nanoTime); 0 = no hold. */
  private long admissionHoldUntil;

  private SharedIndexInformer<Pod> informer;
  private int informerGeneration;
  private int informerFailures;
  private boolean stopping;

  /** A gateway without a key: a pod with sealed variables cannot be created (the create fails). */
  public static Behavior<KubernetesCommand> create(KubernetesSettings settings, KubernetesClient client,
                                                   EntityDirectory directory, MeterRegistry registry) {
    return create(settings, client, directory, registry, null);
  }

  /** A gateway that opens sealed variables with {@code sealer} for the pods' Secrets. */
  public static Behavior<KubernetesCommand> create(KubernetesSettings settings, KubernetesClient client,
                                                   EntityDirectory directory, MeterRegistry registry, Sealer sealer) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new KubernetesGateway(ctx, timers, settings, client, directory, registry, sealer)));
  }

  private KubernetesGateway(ActorContext<KubernetesCommand> ctx, TimerScheduler<KubernetesCommand> timers,
                            KubernetesSettings settings, KubernetesClient client, EntityDirectory directory,
                            MeterRegistry registry, Sealer sealer) {
    super(ctx);
    this.sealer = sealer;
    this.settings = settings;
    this.client = client;
    this.directory = directory;
    this.timers = timers;
    this.registry = registry;
    this.podFactory = new PodFactory(settings);
    for (Kind kind : Kind.values()) {
      ready.put(kind, new FairQueue<>());
    }
    AtomicInteger threadNumber = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(settings.maxConcurrentCalls(), settings.maxConcurrentCalls(),
        30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "tugboat-k8s-call-" + threadNumber.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    this.executor = pool;
    this.bucket = settings.qps() > 0 ? new TokenBucket(settings.qps(), settings.burst(), System::nanoTime) : null;
    this.deleteBucket = settings.deletePace().paced()
        ? new TokenBucket(settings.deletePace().qps(), settings.deletePace().burst(), System::nanoTime) : null;
    this.inFlightGauge = registry.gauge("tugboat.k8s.calls.in-flight", new AtomicInteger());
    this.queuedGauge = registry.gauge("tugboat.k8s.calls.queued", new AtomicInteger());
    this.informerRestarts = registry.counter("tugboat.k8s.informer.restarts");
    this.admissionQueuedGauge = registry.gauge("tugboat.k8s.admission.queued", new AtomicInteger());
    this.admissionLimitGauge = registry.gauge("tugboat.k8s.admission.limit", new AtomicInteger());
    this.atQuotaGauge = registry.gauge("tugboat.k8s.admission.at-quota", new AtomicInteger());
    updateAdmissionGauges();
    ctx.getLog().info("Kubernetes gateway starting: {}", settings);
    startInformer();
  }

  @Override
  public Receive<KubernetesCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(KubernetesCommand.CreatePod.class, this::onCreate)
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
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  // ---- commands ----

  private Behavior<KubernetesCommand> onCreate(KubernetesCommand.CreatePod cmd) {
    ServiceSpec spec = cmd.spec();
    String name = spec.podName();
    CreateRequest waiting = admissionQueue.get(name);
    if (waiting != null) {
      // Asked again while queued: one queue entry, the latest asker gets the outcome.
      admissionQueue.put(name, waiting.askedAgainBy(cmd.replyTo(), spec));
      cmd.replyTo().tell(new PodCallResult.Queued(name, queuePosition(waiting), admissionReason()));
      return this;
    }
    if (join(Kind.CREATE, name, cmd.replyTo())) {
      return this;
    }
    CreateRequest request = new CreateRequest(spec, cmd.replyTo(), nextCreateSeq++);
    if (livePods.contains(name) || admitted.contains(name)) {
      // Its pod already holds a slot (a repeated create, or one after a restart): no new slot.
      startCreate(request);
    } else if (admissionQueue.isEmpty() && hasRoom()) {
      admit(request);
    } else {
      queueCreate(request);
    }
    updateAdmissionGauges();
    return this;
  }

  private Behavior<KubernetesCommand> onDelete(KubernetesCommand.DeletePod cmd) {
    String name = cmd.podName();
    CreateRequest waiting = admissionQueue.remove(name);
    if (waiting != null) {
      // The create never started; it must not start after the delete.
      admissionOrder.remove(waiting.spec().simulationId(), waiting.seq());
      waiting.replyTo().tell(new PodCallResult.Failed(name, 0, "withdrawn: the pod was deleted while waiting for admission"));
      getContext().getLog().info("Create of pod {} withdrawn from the admission queue by a delete", name);
      updateAdmissionGauges();
    }
    if (join(Kind.DELETE, name, cmd.replyTo())) {
      return this;
    }
    Mutation mutation = startMutation(Kind.DELETE, name);
    Supplier<CallOutcome> op = () -> deleteOnce(name);
    enqueue(new Call(Kind.DELETE, name, op, outcome -> reply(name, mutation, cmd.replyTo(), callResult(name, outcome)),
        System.nanoTime(), 0, null, mutation));
    return this;
  }

  private Behavior<KubernetesCommand> onReadLog(KubernetesCommand.ReadPodLog cmd) {
    String name = cmd.podName();
    int tail = Math.max(1, cmd.tailLines());
    Supplier<CallOutcome> op = () -> readLogOnce(name, tail);
    enqueue(new Call(Kind.LOG, name, op, outcome -> cmd.replyTo().tell(logResult(name, outcome)),
        System.nanoTime(), 0, null, null));
    return this;
  }

  private Behavior<KubernetesCommand> onLookup(KubernetesCommand.LookupPod cmd) {
    SharedIndexInformer<Pod> inf = informer;
    if (inf == null || !inf.isRunning() || !inf.hasSynced()) {
      cmd.replyTo().tell(new PodLookupResult.Unknown(cmd.podName(), "the pod watch is not synced"));
      return this;
    }
    Pod pod = inf.getStore().getByKey(settings.namespace() + "/" + cmd.podName());
    if (pod == null) {
      cmd.replyTo().tell(new PodLookupResult.Absent(cmd.podName()));
    } else {
      PodSnapshots.tryOf(pod).ifPresentOrElse(
          s -> cmd.replyTo().tell(new PodLookupResult.Present(s)),
          () -> cmd.replyTo().tell(new PodLookupResult.Unknown(cmd.podName(), "the pod has no Tugboat annotations")));
    }
    return this;
  }

  private Behavior<KubernetesCommand> onListOwnPods(KubernetesCommand.ListOwnPods cmd) {
    SharedIndexInformer<Pod> inf = informer;
    if (inf == null || !inf.isRunning() || !inf.hasSynced()) {
      cmd.replyTo().tell(new OwnPods(false, List.of()));
      return this;
    }
    cmd.replyTo().tell(new OwnPods(true,
        inf.getStore().list().stream().map(PodSnapshots::tryOf).flatMap(Optional::stream).toList()));
    return this;
  }

  // ---- the call queue ----

  /** Creates take turns by simulation; the other kinds are one FIFO each. */
  private static String fairnessKey(Call call) {
    return call.create() == null ? "" : call.create().spec().simulationId();
  }

  private void addLast(Call call) {
    ready.get(call.kind()).add(fairnessKey(call), ++readyTail, call);
  }

  private void enqueue(Call call) {
    if (busyPods.add(call.podName())) {
      addLast(call);
    } else {
      waitingByPod.computeIfAbsent(call.podName(), n -> new ArrayDeque<>()).addLast(call);
    }
    dispatch();
  }

  private Behavior<KubernetesCommand> dispatch() {
    long now = System.nanoTime();
    long nextResume = Long.MAX_VALUE;
    startCalls:
    for (Kind kind : DISPATCH_ORDER) {
      FairQueue<Call> queue = ready.get(kind);
      if (queue.isEmpty()) {
        continue;
      }
      long until = pausedUntil.getOrDefault(kind, now);
      if (until - now > 0) {
        // This kind of call is paused by a 429: it waits, other kinds go ahead.
        nextResume = Math.min(nextResume, until - now);
        continue;
      }
      while (inFlight < settings.maxConcurrentCalls() && !queue.isEmpty()) {
        if (kind == Kind.DELETE && deleteBucket != null && deleteBucket.nanosUntilNext() > 0) {
          // Deletes wait for their own token; the kinds after them go ahead meanwhile.
          if (!timers.isTimerActive(DELETE_PACE_TIMER)) {
            timers.startSingleTimer(DELETE_PACE_TIMER, DispatchTick.INSTANCE,
                Duration.ofNanos(Math.max(1_000_000, deleteBucket.nanosUntilNext())));
          }
          break;
        }
        if (bucket != null && !bucket.tryTake(tokensFor(queue.peekNext()))) {
          if (!timers.isTimerActive(DISPATCH_TIMER)) {
            timers.startSingleTimer(DISPATCH_TIMER, DispatchTick.INSTANCE,
                Duration.ofNanos(Math.max(1_000_000, bucket.nanosUntilNext())));
          }
          break startCalls;
        }
        if (kind == Kind.DELETE && deleteBucket != null) {
          deleteBucket.tryTake();
        }
        start(queue.pollNext());
      }
    }
    if (nextResume != Long.MAX_VALUE && !timers.isTimerActive(PAUSE_TIMER)) {
      timers.startSingleTimer(PAUSE_TIMER, DispatchTick.INSTANCE, Duration.ofNanos(Math.max(1_000_000, nextResume)));
    }
    updateGauges();
    return this;
  }

  /** A create that also writes its pod's Secret makes two writes, and takes a token for each. */
  private static int tokensFor(Call call) {
    return call.create() != null && PodFactory.needsSecret(call.create().spec()) ? 2 : 1;
  }

  /**
   * A 429 pauses every call of its kind until the server's Retry-After (or the backoff when it
   * gives none): hammering an overloaded API server call by call only prolongs the overload.
   */
  private void pause(Kind kind, Duration delay) {
    long now = System.nanoTime();
    long until = now + delay.toNanos();
    long current = pausedUntil.getOrDefault(kind, now);
    if (until - current > 0) {
      long added = until - Math.max(now, current);
      pausedSeconds.computeIfAbsent(kind, k -> registry.counter("tugboat.k8s.paused.seconds", "kind", k.tag))
          .increment(added / 1e9);
      pausedUntil.put(kind, until);
      getContext().getLog().info("Kubernetes {} calls paused for {} ms by HTTP 429", kind.tag, delay.toMillis());
    }
  }

  private void start(Call call) {
    inFlight++;
    CompletableFuture<CallOutcome> f = CompletableFuture.supplyAsync(() -> {
      try {
        return call.operation().get();
      } catch (RuntimeException e) {
        return ApiErrors.classify(e);
      }
    }, executor);
    getContext().pipeToSelf(f, (outcome, failure) ->
        new CallDone(call, failure != null ? ApiErrors.classify(failure) : outcome));
  }

  private Behavior<KubernetesCommand> onCallDone(CallDone done) {
    inFlight--;
    Call call = done.call();
    CallOutcome outcome = done.outcome();
    if (call.create() != null && outcome instanceof CallOutcome.Retryable r && r.httpStatus() == 403) {
      // ApiErrors makes a 403 retryable only for "exceeded quota": learn the limit and wait in
      // the admission queue, where waiting does not count toward give-up-after.
      count(call.kind(), "quota");
      Mutation latest = latestMutation.get(call.podName());
      if (latest != null && latest != call.mutation() && latest.kind == Kind.DELETE) {
        // The pod's delete was asked while this create was on its way (it waits behind it): back
        // in the admission queue, the create would make the pod after its delete, an orphan.
        learnQuota(call.podName(), r.reason());
        getContext().getLog().info("Create of pod {} refused for quota and withdrawn: its delete was asked meanwhile",
            call.podName());
        finish(call, new CallOutcome.Fatal(0, "withdrawn: the pod was deleted while its create was refused for quota"));
        updateAdmissionGauges();
        return dispatch();
      }
      release(call);
      // Back to admission, which answers the latest asker (as for a create asked again while queued).
      latestMutation.remove(call.podName(), call.mutation());
      CreateRequest request = call.create();
      List<ActorRef<PodCallResult>> alsoAsked = call.mutation().alsoAsked;
      if (!alsoAsked.isEmpty()) {
        request = request.askedAgainBy(alsoAsked.get(alsoAsked.size() - 1), request.spec());
      }
      quotaRefused(request, r.reason());
      return dispatch();
    }
    if (outcome instanceof CallOutcome.Retryable r) {
      long elapsed = System.nanoTime() - call.firstAttemptNanos();
      Duration delay = r.httpStatus() == 429
          ? Backoff.afterTooManyRequests(settings.retry(), call.attempt(), r.retryAfter(), ThreadLocalRandom.current())
          : Backoff.delay(settings.retry(), call.attempt(), r.retryAfter(), ThreadLocalRandom.current());
      if (Duration.ofNanos(elapsed).plus(delay).compareTo(settings.retry().giveUpAfter()) > 0) {
        count(call.kind(), "failed");
        getContext().getLog().warn("Kubernetes {} of pod {} gave up after {} attempts: HTTP {} {}",
            call.kind().tag, call.podName(), call.attempt() + 1, r.httpStatus(), r.reason());
        finish(call, new CallOutcome.Fatal(r.httpStatus(), "gave up after " + (call.attempt() + 1)
            + " attempts in " + Duration.ofNanos(elapsed).toSeconds() + " s: " + r.reason()));
      } else if (r.httpStatus() == 429) {
        count(call.kind(), "retry");
        retries.computeIfAbsent(call.kind(), k -> registry.counter("tugboat.k8s.retries", "kind", k.tag)).increment();
        pause(call.kind(), delay);
        // Back at the head of the queue; it starts when the pause of its kind is over.
        Call again = call.nextAttempt();
        ready.get(again.kind()).add(fairnessKey(again), --readyHead, again);
      } else {
        count(call.kind(), "retry");
        retries.computeIfAbsent(call.kind(), k -> registry.counter("tugboat.k8s.retries", "kind", k.tag)).increment();
        getContext().getLog().info("Kubernetes {} of pod {} failed (HTTP {} {}); retry {} in {} ms",
            call.kind().tag, call.podName(), r.httpStatus(), r.reason(), call.attempt() + 1, delay.toMillis());
        // The pod stays busy while it waits, so a later call on it cannot overtake this one.
        getContext().scheduleOnce(delay, getContext().getSelf(), new RetryDue(call.nextAttempt()));
      }
    } else {
      count(call.kind(), outcome instanceof CallOutcome.Done ? "ok" : "failed");
      if (outcome instanceof CallOutcome.Fatal f) {
        getContext().getLog().warn("Kubernetes {} of pod {} failed: HTTP {} {}",
            call.kind().tag, call.podName(), f.httpStatus(), f.reason());
      }
      finish(call, outcome);
    }
    return dispatch();
  }

  private Behavior<KubernetesCommand> onRetryDue(RetryDue due) {
    addLast(due.call());
    return dispatch();
  }

  private void finish(Call call, CallOutcome outcome) {
    call.finish().accept(outcome);
    if (call.create() != null) {
      createFinished(call.podName(), outcome instanceof CallOutcome.Done);
    } else if (call.kind() == Kind.DELETE && outcome instanceof CallOutcome.Done) {
      // A deleted pod holds no slot, even if the informer never saw it.
      if (admitted.remove(call.podName()) | createdUnseen.remove(call.podName())) {
        tryAdmit();
      }
    }
    release(call);
  }

  /** The pod's next waiting call (if any) may start. */
  private void release(Call call) {
    ArrayDeque<Call> waiting = waitingByPod.get(call.podName());
    if (waiting == null) {
      busyPods.remove(call.podName());
      return;
    }
    Call next = waiting.pollFirst();
    addLast(next);
    if (waiting.isEmpty()) {
      waitingByPod.remove(call.podName());
    }
  }

  /**
   * Joins the pod's latest create or delete if it is of this kind and not finished: the asker gets
   * its outcome. A create asked after a delete (or the reverse) never joins an earlier one.
   */
  private boolean join(Kind kind, String podName, ActorRef<PodCallResult> asker) {
    Mutation latest = latestMutation.get(podName);
    if (latest == null || latest.kind != kind) {
      return false;
    }
    latest.alsoAsked.add(asker);
    getContext().getLog().debug("Kubernetes {} of pod {} asked again while queued or running: joined", kind.tag, podName);
    return true;
  }

  private Mutation startMutation(Kind kind, String podName) {
    Mutation m = new Mutation(kind);
    latestMutation.put(podName, m);
    return m;
  }

  /** The outcome of a create or delete, to its asker and to everyone who joined it. */
  private void reply(String podName, Mutation mutation, ActorRef<PodCallResult> asker, PodCallResult result) {
    latestMutation.remove(podName, mutation);
    asker.tell(result);
    mutation.alsoAsked.forEach(a -> a.tell(result));
  }

  private void updateGauges() {
    inFlightGauge.set(inFlight);
    int waiting = 0;
    for (FairQueue<Call> q : ready.values()) {
      waiting += q.size();
    }
    for (ArrayDeque<Call> q : waitingByPod.values()) {
      waiting += q.size();
    }
    queuedGauge.set(waiting);
  }

  private void count(Kind kind, String outcome) {
    callCounters.computeIfAbsent(kind.tag + "/" + outcome,
        k -> registry.counter("tugboat.k8s.calls", "kind", kind.tag, "outcome", outcome)).increment();
  }

  // ---- admission ----

  /** The limit on live pods now: the hard cap, the learnt quota limit, or the lower; 0 = none. */
  private int admissionLimit() {
    int cap = settings.admission().maxPods();
    if (cap > 0 && learntLimit > 0) {
      return Math.min(cap, learntLimit);
    }
    return Math.max(cap, learntLimit);
  }

  /** Live pods of this deployment plus admitted creates whose pods the informer has not seen yet. */
  private int liveCount() {
    int n = livePods.size();
    for (String name : admitted) {
      if (!livePods.contains(name)) {
        n++;
      }
    }
    return n;
  }

  private boolean hasRoom() {
    if (admissionHoldUntil != 0 && admissionHoldUntil - System.nanoTime() > 0) {
      return false;
    }
    int limit = admissionLimit();
    return limit == 0 || liveCount() < limit;
  }

  private void admit(CreateRequest request) {
    admitted.add(request.spec().podName());
    startCreate(request);
  }

  private void startCreate(CreateRequest request) {
    ServiceSpec spec = request.spec();
    Pod pod = podFactory.podFor(spec);
    Supplier<CallOutcome> op = () -> createOnce(pod, spec);
    Mutation mutation = startMutation(Kind.CREATE, spec.podName());
    // A fresh call: time spent queued for admission does not count toward give-up-after.
    enqueue(new Call(Kind.CREATE, spec.podName(), op,
        outcome -> reply(spec.podName(), mutation, request.replyTo(), callResult(spec.podName(), outcome)),
        System.nanoTime(), 0, request, mutation));
  }

  private void queueCreate(CreateRequest request) {
    String name = request.spec().podName();
    admissionOrder.add(request.spec().simulationId(), request.seq(), name);
    admissionQueue.put(name, request);
    int position = queuePosition(request);
    String reason = admissionReason();
    getContext().getLog().info("Create of pod {} queued for admission at position {}: {}", name, position, reason);
    // Gauges first: whoever hears Queued sees them current.
    updateAdmissionGauges();
    request.replyTo().tell(new PodCallResult.Queued(name, position, reason));
    armAdmissionTimer();
  }

  private int queuePosition(CreateRequest request) {
    return admissionOrder.position(request.spec().simulationId(), request.seq());
  }

  private String admissionReason() {
    int cap = settings.admission().maxPods();
    if (learntLimit > 0 && (cap == 0 || learntLimit < cap)) {
      return "pod quota reached: at most " + learntLimit + " live pods (learnt from \"exceeded quota\")";
    }
    return "max-pods reached: at most " + cap + " live pods";
  }

  /**
   * The API server refused a create for quota: the live pods we know of are what the quota
   * allows now. The create goes back into the queue by its first-asked order (so ahead of
   * everything asked later), and nothing is admitted for a backoff unless a pod of ours ends
   * first (the quota may be taken by pods that are not ours).
   */
  private void quotaRefused(CreateRequest request, String reason) {
    String name = request.spec().podName();
    learnQuota(name, reason);
    if (admissionQueue.containsKey(name)) {
      // Already queued again (by a later ask): one entry, whose asker is the latest.
      updateAdmissionGauges();
      return;
    }
    queueCreate(request);
    updateAdmissionGauges();
  }

  /** An "exceeded quota" answer for pod {@code name}: the limit falls to the pods known to exist, and admission holds. */
  private void learnQuota(String name, String reason) {
    admitted.remove(name);
    int known = livePods.size();
    for (String n : createdUnseen) {
      if (!livePods.contains(n)) {
        known++;
      }
    }
    int previous = learntLimit;
    learntLimit = Math.max(1, known);
    successesSinceLearnt = 0;
    quotaRefusals++;
    Duration hold = Backoff.delay(settings.retry(), Math.min(quotaRefusals - 1, 20), Duration.ZERO,
        ThreadLocalRandom.current());
    if (hold.compareTo(settings.retry().minBackoff()) < 0) {
      hold = settings.retry().minBackoff();
    }
    admissionHoldUntil = System.nanoTime() + Math.max(1, hold.toNanos());
    if (previous != learntLimit) {
      getContext().getLog().info("Pod quota reached creating pod {} ({}): admission limit {} -> {}",
          name, reason, previous == 0 ? "none" : previous, learntLimit);
    }
  }

  private void createFinished(String name, boolean created) {
    if (!created) {
      admitted.remove(name);
      createdUnseen.remove(name);
      tryAdmit();
      return;
    }
    quotaRefusals = 0;
    if (admitted.contains(name)) {
      createdUnseen.add(name);
    }
    if (learntLimit > 0 && ++successesSinceLearnt >= settings.admission().raiseAfter()) {
      successesSinceLearnt = 0;
      int cap = settings.admission().maxPods();
      int previous = learntLimit;
      // At the cap the learnt limit has nothing left to say.
      learntLimit = cap > 0 && learntLimit + 1 >= cap ? 0 : learntLimit + 1;
      getContext().getLog().info("Admission limit raised {} -> {} after {} successful creates", previous,
          learntLimit == 0 ? (cap == 0 ? "none" : "max-pods " + cap) : learntLimit, settings.admission().raiseAfter());
      tryAdmit();
    }
    updateAdmissionGauges();
  }

  private Behavior<KubernetesCommand> onPodLiveness(PodLiveness m) {
    String name = m.podName();
    boolean wasAdmitted = admitted.remove(name);
    createdUnseen.remove(name);
    boolean dropped = false;
    if (m.live()) {
      livePods.add(name);
    } else {
      dropped = livePods.remove(name) | wasAdmitted;
    }
    if (dropped) {
      // One of our pods ended: that is quota freed, worth trying at once.
      admissionHoldUntil = 0;
    }
    tryAdmit();
    return this;
  }

  private Behavior<KubernetesCommand> onAdmissionTick() {
    tryAdmit();
    return this;
  }

  /** Admits from the head of the queue while there is room. */
  private void tryAdmit() {
    while (!admissionOrder.isEmpty() && hasRoom()) {
      String name = admissionOrder.pollNext();
      CreateRequest request = admissionQueue.remove(name);
      getContext().getLog().info("Create of pod {} admitted from the queue", name);
      admit(request);
    }
    armAdmissionTimer();
    updateAdmissionGauges();
  }

  private void armAdmissionTimer() {
    long now = System.nanoTime();
    if (!admissionOrder.isEmpty() && admissionHoldUntil != 0 && admissionHoldUntil - now > 0) {
      timers.startSingleTimer(ADMISSION_TIMER, AdmissionTick.INSTANCE,
          Duration.ofNanos(Math.max(1_000_000, admissionHoldUntil - now)));
    }
  }

  private void updateAdmissionGauges() {
    admissionQueuedGauge.set(admissionQueue.size());
    int limit = admissionLimit();
    admissionLimitGauge.set(limit == 0 ? -1 : limit);
    int cap = settings.admission().maxPods();
    atQuotaGauge.set(learntLimit > 0 && (cap == 0 || learntLimit < cap) ? 1 : 0);
  }

  private static boolean isLive(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return pod.getMetadata().getDeletionTimestamp() == null && !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  // ---- the blocking calls (run on the call pool) ----

  private MixedOperation<Pod, PodList, PodResource> pods() {
    return client.pods();
  }

  private CallOutcome createOnce(Pod pod, ServiceSpec spec) {
    String name = pod.getMetadata().getName();
    ServiceId serviceId = spec.serviceId();
    if (PodFactory.needsSecret(spec)) {
      // Opened before the pod is made: a pod whose Secret cannot be written would wait forever.
      try {
        secretValues(spec);
      } catch (SealedValueException e) {
        return new CallOutcome.Fatal(0, e.getMessage());
      }
    }
    try {
      Pod created = pods().inNamespace(settings.namespace()).resource(pod).create();
      return withSecret(spec, created, new CallOutcome.Done("created", null));
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
    // 409: the pod exists. Ours (an earlier attempt whose answer was lost) or someone else's?
    Pod existing;
    try {
      existing = pods().inNamespace(settings.namespace()).withName(name).get();
      count(Kind.GET, "ok");
    } catch (RuntimeException e) {
      count(Kind.GET, ApiErrors.classify(e) instanceof CallOutcome.Retryable ? "retry" : "failed");
      throw e;
    }
    if (existing == null) {
      return new CallOutcome.Retryable(409, "pod " + name + " existed but is gone now (being deleted)", Duration.ZERO);
    }
    var other = PodSnapshots.serviceIdOf(existing);
    if (other.isPresent() && other.get().equals(serviceId)) {
      return withSecret(spec, existing, new CallOutcome.Done("already existed", null));
    }
    Map<String, String> a = existing.getMetadata().getAnnotations();
    String owner = a == null ? "a pod without Tugboat annotations" : "simulator " + a.get(PodConventions.ANNOTATION_SIMULATOR_ID)
        + ", simulation " + a.get(PodConventions.ANNOTATION_SIMULATION_ID) + ", model " + a.get(PodConventions.ANNOTATION_MODEL_ID);
    return new CallOutcome.Fatal(409, "pod name collision with " + owner);
  }

  /**
   * Once the pod exists: its Secret, when it has sealed variables, owned by that pod (its uid).
   * An existing Secret of that name is brought up to date (a 409 on a retried create, or one left
   * by an earlier pod of the same name that the garbage collector has not deleted yet). A failed
   * write throws, and the create is retried as a whole (the pod's create then answers 409, ours).
   */
  private CallOutcome withSecret(ServiceSpec spec, Pod pod, CallOutcome.Done done) {
    if (!PodFactory.needsSecret(spec)) {
      return done;
    }
    Secret secret = podFactory.secretFor(spec, pod, secretValues(spec));
    client.secrets().inNamespace(settings.namespace()).resource(secret)
        .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
    return new CallOutcome.Done(done.detail() + ", with its Secret", null);
  }

  /** The opened sealed values of the spec; SealedValueException without a key or with another key. */
  private Map<String, String> secretValues(ServiceSpec spec) {
    if (sealer == null) {
      throw new SealedValueException("pod " + spec.podName() + " has sealed environment variables and this node "
          + "has no secret key to open them");
    }
    return sealer.secretValues(spec);
  }

  private CallOutcome deleteOnce(String name) {
    try {
      var details = pods().inNamespace(settings.namespace()).withName(name).delete();
      return new CallOutcome.Done(details == null || details.isEmpty() ? "already gone" : "deleted", null);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return new CallOutcome.Done("already gone", null);
      }
      throw e;
    }
  }

  private CallOutcome readLogOnce(String name, int tailLines) {
    // One GET of pods/{name}/log. fabric8's getLog() first waits for the pod to be ready with an
    // informer, a LIST and a WATCH per read outside the pipeline's limits; the container has ended.
    String log = client.raw("/api/v1/namespaces/" + settings.namespace() + "/pods/" + name + "/log?container="
        + PodConventions.CONTAINER_NAME + "&tailLines=" + tailLines, "GET", null);
    List<String> lines = log == null || log.isEmpty() ? List.of() : Arrays.asList(log.split("\\R", -1));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines = lines.subList(0, lines.size() - 1);
    }
    if (lines.size() > tailLines) {
      lines = lines.subList(lines.size() - tailLines, lines.size());
    }
    return new CallOutcome.Done("read", List.copyOf(lines));
  }

  private static PodCallResult callResult(String podName, CallOutcome outcome) {
    if (outcome instanceof CallOutcome.Done d) {
      return new PodCallResult.Succeeded(podName, d.detail());
    }
    if (outcome instanceof CallOutcome.Fatal f) {
      return new PodCallResult.Failed(podName, f.httpStatus(), f.reason());
    }
    CallOutcome.Retryable r = (CallOutcome.Retryable) outcome;
    return new PodCallResult.Failed(podName, r.httpStatus(), r.reason());
  }

  @SuppressWarnings("unchecked")
  private static PodLogResult logResult(String podName, CallOutcome outcome) {
    if (outcome instanceof CallOutcome.Done d) {
      return new PodLogResult.Lines(podName, (List<String>) d.payload());
    }
    if (outcome instanceof CallOutcome.Fatal f) {
      return new PodLogResult.Unavailable(podName, (f.httpStatus() == 0 ? "" : "HTTP " + f.httpStatus() + ": ") + f.reason());
    }
    CallOutcome.Retryable r = (CallOutcome.Retryable) outcome;
    return new PodLogResult.Unavailable(podName, "HTTP " + r.httpStatus() + ": " + r.reason());
  }

  // ---- the informer ----

  private void startInformer() {
    int generation = ++informerGeneration;
    SharedIndexInformer<Pod> inf = pods().inNamespace(settings.namespace())
        .withLabels(PodFactory.ownershipLabels(settings.deploymentId()))
        .runnableInformer(settings.informerResync().toMillis());
    inf.addEventHandler(new PodEvents(directory, getContext().getSelf()));
    informer = inf;
    // Mapped to a non-null value: a Void result reaching a stopped gateway would be a null dead letter.
    getContext().pipeToSelf(inf.start().thenApply(v -> generation), (v, e) ->
        e == null ? new InformerSynced(generation) : new InformerStopped(generation, e));
    getContext().pipeToSelf(inf.stopped().thenApply(v -> generation), (v, e) -> new InformerStopped(generation, e));
  }

  private Behavior<KubernetesCommand> onInformerSynced(InformerSynced m) {
    if (m.generation() == informerGeneration) {
      informerFailures = 0;
      // A new informer does not report pods that went while none was watching: start afresh.
      livePods.clear();
      for (Pod p : informer.getStore().list()) {
        String name = p.getMetadata().getName();
        admitted.remove(name);
        createdUnseen.remove(name);
        if (isLive(p)) {
          livePods.add(name);
        }
      }
      tryAdmit();
      getContext().getLog().info("Pod informer synced on namespace {} (deployment {})",
          settings.namespace(), settings.deploymentId());
    }
    return this;
  }

  private Behavior<KubernetesCommand> onInformerStopped(InformerStopped m) {
    if (stopping || m.generation() != informerGeneration || timers.isTimerActive(INFORMER_TIMER)) {
      return this;
    }
    informerFailures++;
    Duration delay = Backoff.delay(settings.retry(), Math.min(informerFailures - 1, 20), Duration.ZERO,
        ThreadLocalRandom.current());
    getContext().getLog().warn("Pod informer stopped ({}); restart {} in {} ms", m.cause() == null
        ? "no error" : m.cause().toString(), informerFailures, delay.toMillis());
    timers.startSingleTimer(INFORMER_TIMER, new RestartInformer(m.generation()), delay);
    return this;
  }

  private Behavior<KubernetesCommand> onRestartInformer(RestartInformer m) {
    if (stopping || m.generation() != informerGeneration) {
      return this;
    }
    informerRestarts.increment();
    SharedIndexInformer<Pod> old = informer;
    // Stopping closes the old watch; it is quick and does not wait for the server.
    old.stop();
    startInformer();
    return this;
  }

  private Behavior<KubernetesCommand> onPostStop() {
    stopping = true;
    if (informer != null) {
      informer.stop();
    }
    executor.shutdownNow();
    return this;
  }

  /**
   * Informer callbacks: translate and tell the service entity, nothing else (they run on the
   * informer's thread, which must never wait).
   */
  private static final class PodEvents implements ResourceEventHandler<Pod> {
    private final EntityDirectory directory;
    private final ActorRef<KubernetesCommand> gateway;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    PodEvents(EntityDirectory directory, ActorRef<KubernetesCommand> gateway) {
      this.directory = directory;
      this.gateway = gateway;
    }

    @Override
    public void onAdd(Pod pod) {
      observed(pod);
    }

    @Override
    public void onUpdate(Pod oldPod, Pod newPod) {
      observed(newPod);
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
      if (pod.getMetadata() != null) {
        gateway.tell(new PodLiveness(pod.getMetadata().getName(), false));
      }
      PodSnapshots.tryOf(pod).ifPresentOrElse(
          s -> directory.service(s.serviceId())
              .tell(new ServiceCommand.PodDeleted(s.podName(), finalStateUnknown, s)),
          () -> warnOnce(pod));
    }

    private void observed(Pod pod) {
      if (pod.getMetadata() != null) {
        gateway.tell(new PodLiveness(pod.getMetadata().getName(), isLive(pod)));
      }
      PodSnapshots.tryOf(pod).ifPresentOrElse(
          s -> directory.service(s.serviceId()).tell(new ServiceCommand.PodObserved(s)),
          () -> warnOnce(pod));
    }

    private void warnOnce(Pod pod) {
      String name = pod.getMetadata() == null ? "?" : pod.getMetadata().getName();
      if (warned.add(name)) {
        CALLBACK_LOG.warn("Ignoring pod {}: it carries the Tugboat labels but not the service annotations", name);
      }
    }
  }
}
