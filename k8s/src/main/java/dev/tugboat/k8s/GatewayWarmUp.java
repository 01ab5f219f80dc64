package dev.tugboat.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The gateway's side of a start-up warm-up ({@link KubernetesWarmUp}): its rounds of dry-run
 * creates go into the gateway's call queue like every other call (pool, rate limit, metrics), its
 * timeout and the gateway's stop cut it short, and its end is logged once before the node's
 * readiness may pass. Lives in the gateway actor: single-threaded.
 */
final class GatewayWarmUp {
  private final KubernetesWarmUp warmUp;
  private final PodFactory podFactory;
  private final PodCalls podCalls;
  private final int perRound;
  private final Consumer<Call> submit;
  private final Logger log;
  private long startNanos;

  /** {@code submit}: queues a call and dispatches what the pool and the rate limit allow. */
  GatewayWarmUp(KubernetesWarmUp warmUp, PodFactory podFactory, PodCalls podCalls, int perRound,
      Consumer<Call> submit, Logger log) {
    this.warmUp = warmUp;
    this.podFactory = podFactory;
    this.podCalls = podCalls;
    this.perRound = perRound;
    this.submit = submit;
    this.log = log;
  }

  /** Starts the first round; false when there is nothing to warm up (no timer to arm). */
  boolean start() {
    if (warmUp.isOver()) {
      return false;
    }
    startNanos = System.nanoTime();
    log.info("Kubernetes warm-up starting: {} rounds of {} dry-run pod creates", warmUp.rounds(), perRound);
    round();
    return true;
  }

  Duration timeout() {
    return warmUp.timeout();
  }

  /** Queues the next round's dry-run creates; they start as the pool and the rate limit allow. */
  private void round() {
    for (Pod pod : warmUp.nextRound(podFactory, perRound)) {
      submit.accept(Call.first(CallKind.WARM_UP, pod.getMetadata().getName(), () -> podCalls.dryRunCreate(pod),
          this::callDone, null, null));
    }
  }

  private void callDone(CallOutcome outcome) {
    if (warmUp.callDone(outcome)) {
      round();
    } else if (warmUp.isOver() && warmUp.problem().isPresent()) {
      // Ended by this call's failure; the timeout that fires later finds it over.
      ended();
    }
  }

  /** Ends a warm-up still running, for {@code reason} (its timeout, the gateway's stop). */
  void cutShort(String reason) {
    if (!warmUp.isOver()) {
      warmUp.cutShort(reason);
      ended();
    }
  }

  /** One log line, then the node's readiness may pass (in this order, so a ready node has logged it). */
  private void ended() {
    long ms = (System.nanoTime() - startNanos) / 1_000_000;
    warmUp.lastFailure().ifPresentOrElse(
        why -> log.info("Kubernetes warm-up ended after {} dry-run pod creates in {} ms: {}", warmUp.answered(), ms,
            why),
        () -> log.info("Kubernetes warm-up: {} dry-run pod creates in {} ms", warmUp.answered(), ms));
    warmUp.complete();
  }
}
