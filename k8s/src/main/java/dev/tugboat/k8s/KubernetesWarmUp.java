package dev.tugboat.k8s;

import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ServiceSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work a fresh node does once, before its gateway starts and before it says ready, so that the
 * first deployment's pod creates do not pay for it: {@code max-concurrent-calls} pod creates at
 * once, a few rounds, each with {@code dryRun=All}, through the client the gateway then uses. The
 * API server checks and answers them like real creates but stores nothing (Kubernetes' dry run:
 * no pod, no event, no watch notification), so the client's connection pool holds as many open
 * (TLS) connections as the gateway keeps calls in flight, and the pod factory, the client's
 * request and response paths and the TLS code have run. Best effort: a round in which no call
 * was answered (no API server yet, no right to create pods, a webhook that refuses dry runs) or
 * the timeout ends it with one log line, and the node starts anyway; the informer's readiness
 * check says whether the API server is there.
 */
public final class KubernetesWarmUp {
  private static final Logger log = LoggerFactory.getLogger(KubernetesWarmUp.class);
  private static final String SIMULATION_ID = "tugboat-warm-up";

  private KubernetesWarmUp() {}

  /** Runs {@code rounds} rounds and waits for them, at most {@code timeout} in all; returns the calls answered. */
  public static int run(KubernetesSettings settings, KubernetesClient client, int rounds, Duration timeout)
      throws InterruptedException {
    PodFactory factory = new PodFactory(settings);
    int parallel = settings.maxConcurrentCalls();
    ExecutorService threads = Executors.newFixedThreadPool(parallel, r -> {
      Thread t = new Thread(r, "kubernetes-warm-up");
      t.setDaemon(true);
      return t;
    });
    long deadline = System.nanoTime() + timeout.toNanos();
    AtomicInteger answered = new AtomicInteger();
    Throwable lastFailure = null;
    try {
      for (int round = 0; round < rounds; round++) {
        int before = answered.get();
        List<Future<?>> calls = new ArrayList<>(parallel);
        for (int i = 0; i < parallel; i++) {
          Pod pod = factory.podFor(new ServiceSpec("tugboat", SIMULATION_ID, "m" + i, "warm-up:latest",
              List.of(new EnvVar("WARM_UP", "1")), 0.0, SIMULATION_ID + "-" + round + "-" + i));
          calls.add(threads.submit(() -> {
            client.pods().inNamespace(settings.namespace()).resource(pod).dryRun().create();
            answered.incrementAndGet();
          }));
        }
        for (Future<?> call : calls) {
          try {
            call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          } catch (ExecutionException e) {
            lastFailure = e.getCause();
          }
        }
        if (answered.get() == before) {
          log.info("Kubernetes warm-up ended after {} dry-run pod creates: {}", answered.get(),
              String.valueOf(lastFailure));
          break;
        }
      }
    } catch (TimeoutException e) {
      log.info("Kubernetes warm-up ended after {} dry-run pod creates: not done within {}", answered.get(), timeout);
    } finally {
      threads.shutdownNow();
    }
    return answered.get();
  }
}
