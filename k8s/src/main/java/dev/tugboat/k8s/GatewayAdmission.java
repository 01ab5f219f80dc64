package dev.tugboat.k8s;

import dev.tugboat.protocol.kubernetes.PodCallResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * The gateway's side of {@link Admission}: a create either starts or waits in the admission queue
 * and its asker hears where; a create refused for quota goes back to the queue; queued creates
 * start as pods end, creates fail, deletes finish or the hold after a refusal runs out; the
 * admission gauges stay current. Lives in the gateway actor: single-threaded.
 */
final class GatewayAdmission {
  private final Admission<CreateRequest> admission;
  private final GatewayMetrics metrics;
  private final Consumer<CreateRequest> startCreate;
  private final Consumer<Duration> wakeUpIn;
  private final Logger log;

  /**
   * {@code startCreate}: submits an admitted create as a call; {@code wakeUpIn}: arms the gateway's
   * admission timer, which calls {@link #admitFromQueue} when it fires.
   */
  GatewayAdmission(KubernetesSettings settings, GatewayMetrics metrics, Consumer<CreateRequest> startCreate,
      Consumer<Duration> wakeUpIn, Logger log) {
    this.admission = new Admission<>(settings.admission(), settings.retry(), log);
    this.metrics = metrics;
    this.startCreate = startCreate;
    this.wakeUpIn = wakeUpIn;
    this.log = log;
  }

  /**
   * Whether the pod's create waits in the queue already: then it is asked again (one queue entry,
   * the latest asker gets the outcome) and {@code replyTo} hears where it waits.
   */
  boolean askedAgain(PodOrder order, ActorRef<PodCallResult> replyTo) {
    String name = order.podName();
    CreateRequest waiting = admission.waiting(name);
    if (waiting == null) {
      return false;
    }
    int position = admission.askedAgain(waiting.askedAgainBy(replyTo, order));
    replyTo.tell(new PodCallResult.Queued(name, position, admission.reason()));
    return true;
  }

  /** A new create: it starts now if admitted (or its pod holds a slot already), else it is queued. */
  void ask(PodOrder order, ActorRef<PodCallResult> replyTo) {
    CreateRequest request = new CreateRequest(order, replyTo, admission.nextSeq());
    if (admission.ask(request, System.nanoTime()) == Admission.Verdict.QUEUED) {
      queued(request);
    } else {
      startCreate.accept(request);
    }
    gauges();
  }

  /** The pod is being deleted: its create waiting in the queue, if any, never starts and its asker hears why. */
  void withdraw(String podName) {
    CreateRequest waiting = admission.withdraw(podName);
    if (waiting != null) {
      waiting.replyTo().tell(new PodCallResult.Failed(podName, 0,
          "withdrawn: the pod was deleted while waiting for admission"));
      log.info("Create of pod {} withdrawn from the admission queue by a delete", podName);
      gauges();
    }
  }

  /** A create or delete reached its final outcome: a failed create or a done delete may free a slot. */
  void callFinished(Call call, CallOutcome outcome) {
    String name = call.podName();
    if (call.create() != null) {
      if (admission.createFinished(name, outcome instanceof CallOutcome.Done)) {
        admitFromQueue();
      } else {
        gauges();
      }
    } else if (call.kind() == CallKind.DELETE && outcome instanceof CallOutcome.Done && admission.deleted(name)) {
      admitFromQueue();
    }
  }

  /**
   * The create of {@code request} was refused for quota: admission learns the limit, and the
   * create goes back to the admission queue (answering the request's asker).
   */
  void quotaRefused(CreateRequest request, String reason) {
    learnQuota(request.podName(), reason);
    if (admission.requeue(request)) {
      queued(request);
    }
    gauges();
  }

  /**
   * The create of this pod was refused for quota while its delete was asked: admission learns the
   * limit, and the create does not go back to the queue (it would make the pod after its delete).
   */
  void quotaRefusedWithdrawn(String podName, String reason) {
    learnQuota(podName, reason);
    log.info("Create of pod {} refused for quota and withdrawn: its delete was asked meanwhile", podName);
  }

  /** The informer saw the pod live, or ended, being deleted or gone. */
  void seen(String podName, boolean live) {
    admission.seen(podName, live);
    admitFromQueue();
  }

  /** A new informer has synced with these pods (each with whether it is live). */
  void synced(Map<String, Boolean> liveness) {
    admission.synced(liveness);
    admitFromQueue();
  }

  /** Starts the queued creates there is room for now. */
  void admitFromQueue() {
    for (CreateRequest request : admission.admitFromQueue(System.nanoTime())) {
      log.info("Create of pod {} admitted from the queue", request.podName());
      startCreate.accept(request);
    }
    armTimer();
    gauges();
  }

  /** Sets the admission gauges: creates queued, the limit in force, whether a learnt quota limits. */
  void gauges() {
    metrics.admission(admission.queued(), admission.limit(), admission.atQuota());
  }

  private void learnQuota(String podName, String reason) {
    admission.quotaRefused(podName, reason, System.nanoTime(), ThreadLocalRandom.current());
  }

  /** The create waits for admission: its asker hears where. */
  private void queued(CreateRequest request) {
    String name = request.podName();
    int position = admission.position(request);
    String reason = admission.reason();
    log.info("Create of pod {} queued for admission at position {}: {}", name, position, reason);
    // Gauges first: whoever hears Queued sees them current.
    gauges();
    request.replyTo().tell(new PodCallResult.Queued(name, position, reason));
    armTimer();
  }

  private void armTimer() {
    long hold = admission.holdLeft(System.nanoTime());
    if (hold > 0) {
      wakeUpIn.accept(Duration.ofNanos(Math.max(1_000_000, hold)));
    }
  }
}
