package dev.tugboat.demo;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Sends HTTP requests at a fixed rate whatever the answers take (an open loop), so a slow answer
 * does not slow the sender and hide itself: each latency counts from when its request was due to
 * be sent, not from when the sender got to it. Replies are read in full.
 */
final class OpenLoad {
  /** One request of the load: which kind it counts as, and the request. */
  record Planned(String kind, HttpRequest request) {}

  /** The latencies (ms, sorted) of one kind of request and how many of them failed or were not 200. */
  record Figures(String kind, long[] sortedMillis, int errors) {
    String describe() {
      return String.format("%s: %d requests, p50=%d p99=%d max=%d ms, %d errors", kind, sortedMillis.length,
          BenchCommand.percentile(sortedMillis, 50), BenchCommand.percentile(sortedMillis, 99),
          BenchCommand.percentile(sortedMillis, 100), errors);
    }
  }

  /** What a run did: the rate it reached and its figures per kind of request. */
  record Result(double sentPerSecond, List<Figures> figures) {}

  private final HttpClient client;

  OpenLoad(HttpClient client) {
    this.client = client;
  }

  /**
   * Sends {@code rate × duration} requests made by {@code plan} (given the request's index) at
   * {@code rate} a second and waits for every answer, at most {@code answerTimeout} after the last
   * was sent.
   */
  Result run(int rate, Duration duration, IntFunction<Planned> plan, Duration answerTimeout) throws InterruptedException {
    int count = (int) (rate * duration.toMillis() / 1000);
    long periodNanos = 1_000_000_000L / rate;
    String[] kinds = new String[count];
    long[] latencyNanos = new long[count];
    boolean[] failed = new boolean[count];
    List<CompletableFuture<?>> pending = new ArrayList<>(count);
    long start = System.nanoTime() + 10_000_000;
    for (int i = 0; i < count; i++) {
      long due = start + i * periodNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      Planned planned = plan.apply(i);
      kinds[i] = planned.kind();
      int index = i;
      pending.add(client.sendAsync(planned.request(), HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete((response, error) -> {
            latencyNanos[index] = System.nanoTime() - due;
            failed[index] = error != null || response.statusCode() != 200;
          }));
    }
    long sentNanos = System.nanoTime() - start;
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(answerTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // Counted below: a request without an answer is an error with the whole wait as its latency.
    }
    return new Result(count / (sentNanos / 1e9), figures(kinds, latencyNanos, failed, pending));
  }

  private static List<Figures> figures(String[] kinds, long[] latencyNanos, boolean[] failed,
      List<CompletableFuture<?>> pending) {
    List<String> distinct = Arrays.stream(kinds).distinct().sorted().toList();
    List<Figures> out = new ArrayList<>();
    for (String kind : distinct) {
      long[] millis = new long[kinds.length];
      int n = 0;
      int errors = 0;
      for (int i = 0; i < kinds.length; i++) {
        if (!kinds[i].equals(kind)) {
          continue;
        }
        boolean done = pending.get(i).isDone();
        if (!done || failed[i]) {
          errors++;
        }
        if (done) {
          millis[n++] = latencyNanos[i] / 1_000_000;
        }
      }
      long[] sorted = Arrays.copyOf(millis, n);
      Arrays.sort(sorted);
      out.add(new Figures(kind, sorted, errors));
    }
    return out;
  }
}
