package dev.tugboat.k8s;

import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ServiceSpec;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Work a fresh node's gateway does once when it starts, before the node says ready, so that the
 * first deployment's pod creates do not pay for it: rounds of {@code max-concurrent-calls} pod
 * creates at once, each with {@code dryRun=All}, as the gateway's own calls of kind
 * {@code warm-up} (its call pool and client, its rate limit, its call metrics). The API server
 * checks and answers them like real creates but stores nothing (Kubernetes' dry run: no pod, no
 * event, no watch notification), so the client's connection pool holds as many open (TLS)
 * connections as the gateway keeps calls in flight, and the pod factory, the client's request and
 * response paths and the TLS code have run. Best effort: warm-up calls are not retried, and a
 * round in which no call was answered (no API server yet, no right to create pods, a webhook that
 * refuses dry runs) or the timeout ends it with one log line; the informer's readiness check says
 * whether the API server is there.
 *
 * <p>The node makes one, hands it to the gateway, and reads {@link #problem()} (readiness) or
 * {@link #done()} from any thread; the gateway actor alone runs it.
 */
public final class KubernetesWarmUp {
  private static final String SIMULATION_ID = "tugboat-warm-up";

  private final int rounds;
  private final Duration timeout;
  private final CompletableFuture<Integer> done = new CompletableFuture<>();
  // Written by the gateway actor only.
  private int round;
  private int answered;
  private int answeredBefore;
  private int open;
  private String lastFailure;
  private boolean ended;

  /** A warm-up of {@code rounds} rounds (0: none) that ends at the latest {@code timeout} after the gateway started it. */
  public KubernetesWarmUp(int rounds, Duration timeout) {
    if (rounds < 0 || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("Kubernetes warm-up: rounds must not be negative, timeout positive");
    }
    this.rounds = rounds;
    this.timeout = timeout;
    if (rounds == 0) {
      done.complete(0);
    }
  }

  /** No warm-up: done from the start. */
  public static KubernetesWarmUp none() {
    return new KubernetesWarmUp(0, Duration.ofSeconds(1));
  }

  /** Completes with the dry-run creates answered once the warm-up is over (done, given up or timed out). */
  public CompletionStage<Integer> done() {
    return done;
  }

  /** Empty once the warm-up is over; otherwise that it still runs (a readiness check's reason). */
  public Optional<String> problem() {
    return done.isDone() ? Optional.empty()
        : Optional.of("the Kubernetes gateway's start-up warm-up (dry-run pod creates) is still running");
  }

  int rounds() {
    return rounds;
  }

  Duration timeout() {
    return timeout;
  }

  /** True once a round without answers, the last round or the timeout ended it (the gateway then logs and calls {@link #complete()}). */
  boolean isOver() {
    return ended || done.isDone();
  }

  /** The next round's dry-run pods, {@code parallel} of them; empty once the warm-up is over. */
  List<Pod> nextRound(PodFactory factory, int parallel) {
    if (isOver()) {
      return List.of();
    }
    answeredBefore = answered;
    List<Pod> pods = new ArrayList<>(parallel);
    for (int i = 0; i < parallel; i++) {
      pods.add(factory.podFor(new ServiceSpec("tugboat", SIMULATION_ID, "m" + i, "warm-up:latest",
          List.of(new EnvVar("WARM_UP", "1")), 0.0, SIMULATION_ID + "-" + round + "-" + i)));
    }
    round++;
    open = parallel;
    return pods;
  }

  /**
   * One call of the current round came to {@code outcome}: returns true when the round is over
   * and another should start. A round in which nothing was answered, or the last one, ends the
   * warm-up ({@link #isOver()}).
   */
  boolean callDone(CallOutcome outcome) {
    if (isOver()) {
      return false;
    }
    if (outcome instanceof CallOutcome.Done) {
      answered++;
    } else if (outcome instanceof CallOutcome.Fatal f) {
      lastFailure = "HTTP " + f.httpStatus() + " " + f.reason();
    } else if (outcome instanceof CallOutcome.Retryable r) {
      lastFailure = "HTTP " + r.httpStatus() + " " + r.reason();
    }
    if (--open > 0) {
      return false;
    }
    if (answered == answeredBefore || round >= rounds) {
      ended = true;
      return false;
    }
    return true;
  }

  /** The timeout (or the gateway's stop, {@code why}) ended it before its rounds did. */
  void cutShort(String why) {
    if (!isOver()) {
      lastFailure = why;
      ended = true;
    }
  }

  /** Says it is over: {@link #done()} completes and {@link #problem()} is empty from now on. */
  void complete() {
    ended = true;
    done.complete(answered);
  }

  int answered() {
    return answered;
  }

  /** The last call's failure or the timeout, if any; empty when every call was answered. */
  Optional<String> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }
}
