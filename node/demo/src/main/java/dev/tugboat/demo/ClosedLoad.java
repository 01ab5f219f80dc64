package dev.tugboat.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A closed loop of {@code concurrency} clients, each sending the next GET as soon as the last one
 * was answered, until {@link #stop()}: the load of {@code bench-scale}. Each answer is timed and
 * kept with when it was sent; an answer of the simulated echo service names its pod, and the
 * first answer from each pod is noted, which is when the proxy started sending it requests.
 */
final class ClosedLoad {
  private static final Pattern POD = Pattern.compile("^\\{\"pod\":\"([^\"]+)\"");

  /** One request: when it was sent (nanoTime), how long it took (µs), whether it was answered 200. */
  record Sample(long sentNanos, long micros, boolean ok) {}

  private final HttpClient client;
  private final HttpRequest request;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final List<List<Sample>> samples = new ArrayList<>();
  private final Map<String, Long> firstAnswerNanos = new ConcurrentHashMap<>();

  private ClosedLoad(URI uri, int concurrency) {
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    this.request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build();
    for (int i = 0; i < concurrency; i++) {
      List<Sample> own = new ArrayList<>();
      samples.add(own);
      Thread t = new Thread(() -> loop(own), "closed-load-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
  }

  /** Starts {@code concurrency} clients sending GET {@code uri} in a loop. */
  static ClosedLoad start(URI uri, int concurrency) {
    ClosedLoad load = new ClosedLoad(uri, concurrency);
    load.threads.forEach(Thread::start);
    return load;
  }

  private void loop(List<Sample> own) {
    while (running.get()) {
      long sent = System.nanoTime();
      boolean ok;
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        ok = response.statusCode() == 200;
        Matcher pod = POD.matcher(response.body());
        if (ok && pod.find()) {
          firstAnswerNanos.putIfAbsent(pod.group(1), System.nanoTime());
        }
      } catch (java.io.IOException e) {
        ok = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      own.add(new Sample(sent, (System.nanoTime() - sent) / 1_000, ok));
    }
  }

  /** Ends the loop once each client's request in flight is answered; then every request's sample. */
  List<Sample> stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(35).toMillis());
    }
    List<Sample> all = new ArrayList<>();
    samples.forEach(all::addAll);
    return all;
  }

  /** When each pod answered first (nanoTime), so far. */
  Map<String, Long> firstAnswers() {
    return Map.copyOf(firstAnswerNanos);
  }
}
