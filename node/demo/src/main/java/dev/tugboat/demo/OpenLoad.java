package dev.tugboat.demo;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Sends HTTP requests at a fixed rate whatever the answers take (an open loop), so a slow answer
 * does not slow the sender and hide itself: each latency counts from when its request was due to
 * be sent, not from when the sender got to it. Replies are read in full; a failed request is
 * counted by its kind (the HTTP status, or the exception that ended it).
 */
final class OpenLoad {
  /** One request of the load: which kind it counts as, and the request. */
  record Planned(String kind, HttpRequest request) {}

  /** The latencies (ms, sorted) of one kind of request and how many of them failed or were not 200. */
  record Figures(String kind, long[] sortedMillis, int errors, Map<String, Integer> errorKinds) {
    String describe() {
      return String.format("%s: %d requests, p50=%d p99=%d max=%d ms, %d errors%s", kind, sortedMillis.length,
          BenchCommand.percentile(sortedMillis, 50), BenchCommand.percentile(sortedMillis, 99),
          BenchCommand.percentile(sortedMillis, 100), errors, errors == 0 ? "" : " " + errorKinds);
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
    String[] failed = new String[count];
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
            failed[index] = error != null ? rootCause(error).getClass().getSimpleName()
                : response.statusCode() != 200 ? "HTTP " + response.statusCode() : null;
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

  private static Throwable rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static List<Figures> figures(String[] kinds, long[] latencyNanos, String[] failed,
      List<CompletableFuture<?>> pending) {
    List<String> distinct = Arrays.stream(kinds).distinct().sorted().toList();
    List<Figures> out = new ArrayList<>();
    for (String kind : distinct) {
      long[] millis = new long[kinds.length];
      int n = 0;
      int errors = 0;
      Map<String, Integer> errorKinds = new TreeMap<>();
      for (int i = 0; i < kinds.length; i++) {
        if (!kinds[i].equals(kind)) {
          continue;
        }
        boolean done = pending.get(i).isDone();
        String failure = !done ? "no answer" : failed[i];
        if (failure != null) {
          errors++;
          errorKinds.merge(failure, 1, Integer::sum);
        }
        if (done) {
          millis[n++] = latencyNanos[i] / 1_000_000;
        }
      }
      long[] sorted = Arrays.copyOf(millis, n);
      Arrays.sort(sorted);
      out.add(new Figures(kind, sorted, errors, errorKinds));
    }
    return out;
  }
}
