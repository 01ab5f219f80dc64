package dev.tugboat.k8s;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads the gateway's blocking API calls run on, as many as max-concurrent-calls (the
 * gateway never starts more); each call's failure comes back classified as an outcome.
 */
final class CallPool {
  private final ThreadPoolExecutor executor;

  CallPool(int threads) {
    AtomicInteger threadNumber = new AtomicInteger();
    executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "tugboat-k8s-call-" + threadNumber.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    executor.allowCoreThreadTimeOut(true);
  }

  /** Runs the call on a pool thread; completes with its outcome, a thrown failure classified. */
  CompletableFuture<CallOutcome> run(Supplier<CallOutcome> call) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return call.get();
      } catch (RuntimeException e) {
        return ApiErrors.classify(e);
      }
    }, executor);
  }

  /** Interrupts the calls running and drops the rest. */
  void shutdownNow() {
    executor.shutdownNow();
  }
}
