package dev.tugboat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.http.auth.TokenHash;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tugboat bench-scale}: how fast a hosted service scales from {@code min} to {@code max}
 * replicas under load, and back. Starts an embedded node (simulated Kubernetes, whose
 * {@code tugboat/echo-service} pods run real HTTP servers), creates over HTTP a service of that
 * image with replicas {@code min=1, max=N} and waits for its first replica; then a closed loop of C
 * clients sends {@code GET /{name}/slow?ms=S} through the node's proxy, which keeps about C
 * requests in flight, above the scaling mark ({@code tugboat.hosted.scale-up-at} per ready
 * replica) until N replicas serve. Printed: the seconds from the load's start until 2, 3, ..., N
 * replicas were ready in the service's view ({@code GET /api/v1/services/{name}}, polled every
 * 50 ms) and until the proxy's answers came from 2, 3, ..., N pods (the echo names its pod); the
 * requests sent from the load's start until both reached N, their rate, p50/p99 and errors. Then
 * the load stops, and the seconds until the service is back at {@code min} (one replica slot
 * left, after its idle timeout) are printed. Exits 1 when either does not happen within
 * {@code --timeout-seconds}.
 */
@Command(name = "bench-scale", mixinStandardHelpOptions = true,
    description = "Benchmark a hosted service's scale-up from 1 to N replicas under load through the proxy, "
        + "and its way back to 1 after the idle timeout, on an embedded node.")
final class ScaleBenchCommand implements Callable<Integer> {
  private static final String SERVICE = "scale";
  private static final Duration POLL = Duration.ofMillis(50);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--max", description = "The service's max replicas; min is 1 (default: ${DEFAULT-VALUE}).")
  int max = 5;

  @Option(names = "--concurrency", description = "Requests the closed loop keeps in flight "
      + "(default: 5 per replica at max, above the scaling mark of 4 per ready replica up to max).")
  int concurrency;

  @Option(names = "--slow-ms", description = "How long the echo service takes per request (default: ${DEFAULT-VALUE}).")
  int slowMillis = 100;

  @Option(names = "--idle-seconds", description = "The service's idle timeout: without requests this long it "
      + "scales back to min (default: ${DEFAULT-VALUE}).")
  int idleSeconds = 10;

  @Option(names = "--timeout-seconds", description = "Give up (exit 1) when the service is not at max, or not "
      + "back at min, after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 120;

  @Option(names = "--data-dir", description = "Data directory, emptied first (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of("data", "bench-scale");

  @Option(names = "--probe-mebibytes", description = "The machine probe's SHA-256 work before and after "
      + "(default: ${DEFAULT-VALUE}, as every benchmark's; less only to try the command out).")
  int probeMebibytes = MachineProbe.MEBIBYTES;

  @Mixin
  EmbeddedPorts ports = new EmbeddedPorts();

  /** The service as its view shows it: replica slots, and how many of them are ready. */
  private record View(int slots, int ready) {}

  @Override
  public Integer call() throws Exception {
    int clients = concurrency == 0 ? 5 * max : concurrency;
    if (max < 2 || clients < 1 || slowMillis < 0 || idleSeconds < 1 || timeoutSeconds < 1 || probeMebibytes < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--max must be at least 2, --concurrency, "
          + "--idle-seconds, --timeout-seconds and --probe-mebibytes positive, --slow-ms not negative");
    }
    log(probe().describe("before"));
    String token = TokenHash.newToken();
    try (EmbeddedMode.EmbeddedNode embedded = EmbeddedRun.start(dataDir, ports.mqtt, ports.http, 1, token)) {
      String base = "http://127.0.0.1:" + embedded.node().httpPort();
      URI view = URI.create(base + "/api/v1/services/" + SERVICE);
      HttpClient api = HttpClient.newHttpClient();
      long created = System.nanoTime();
      create(api, URI.create(base + "/api/v1/services"), token);
      if (!await(api, view, v -> v.ready() >= 1, created)) {
        log("the service's first replica was not ready within " + timeoutSeconds + " s");
        return 1;
      }
      log(String.format(Locale.ROOT, "service %s created, its first replica ready after %d ms; %d clients now "
          + "send GET /%s/slow?ms=%d in a closed loop", SERVICE, (System.nanoTime() - created) / 1_000_000, clients,
          SERVICE, slowMillis));

      ProcessMeter.Window meter = ProcessMeter.start();
      long loadStart = System.nanoTime();
      ClosedLoad load = ClosedLoad.start(URI.create(base + "/" + SERVICE + "/slow?ms=" + slowMillis), clients);
      long[] readyAt = new long[max + 1];
      long deadline = loadStart + Duration.ofSeconds(timeoutSeconds).toNanos();
      int reached = 1;
      int serving = 0;
      while ((reached < max || serving < max) && System.nanoTime() < deadline) {
        View v = read(api, view);
        long now = System.nanoTime();
        for (int k = reached + 1; k <= Math.min(max, v.ready()); k++) {
          readyAt[k] = now;
          log(String.format(Locale.ROOT, "%d replicas ready after %.1f s", k, seconds(now - loadStart)));
        }
        reached = Math.max(reached, Math.min(max, v.ready()));
        int answered = load.firstAnswers().size();
        if (answered > serving) {
          log(String.format(Locale.ROOT, "%d pods answered after %.1f s", answered, seconds(now - loadStart)));
          serving = answered;
        }
        Thread.sleep(POLL.toMillis());
      }
      // The scale-up ends once N replicas are ready and the proxy has sent requests to each.
      long scaledAt = System.nanoTime();
      ProcessMeter.Figures process = meter.end();
      Map<String, Long> served = load.firstAnswers();
      List<ClosedLoad.Sample> samples = load.stop();
      long stoppedAt = System.nanoTime();
      if (reached < max || serving < max) {
        log(reached + " of " + max + " replicas were ready and " + serving + " answered after " + timeoutSeconds
            + " s");
        return 1;
      }
      long[] scaleUpMicros = samples.stream().filter(s -> s.sentNanos() < scaledAt)
          .mapToLong(ClosedLoad.Sample::micros).sorted().toArray();
      long errors = samples.stream().filter(s -> s.sentNanos() < scaledAt && !s.ok()).count();
      log("while it scaled up: " + process.describe());
      log(String.format(Locale.ROOT, "load stopped: %d requests in all, %d pods answered; waiting for the way "
          + "back to 1 replica (idle timeout %d s)", samples.size(), served.size(), idleSeconds));

      long backDeadline = stoppedAt + Duration.ofSeconds(idleSeconds + timeoutSeconds).toNanos();
      boolean back = false;
      while (!back && System.nanoTime() < backDeadline) {
        View v = read(api, view);
        back = v.slots() == 1 && v.ready() == 1;
        if (!back) {
          Thread.sleep(POLL.toMillis());
        }
      }
      long backAt = System.nanoTime();
      log(probe().describe("after"));
      if (!back) {
        log("the service was not back at 1 replica " + (idleSeconds + timeoutSeconds) + " s after the load stopped");
        return 1;
      }
      String readySeconds = Arrays.stream(readyAt, 2, max + 1).mapToObj(t -> format(seconds(t - loadStart)))
          .collect(Collectors.joining(","));
      String servingSeconds = served.values().stream().sorted().skip(1).limit(max - 1)
          .map(t -> format(seconds(Math.max(0, t - loadStart)))).collect(Collectors.joining(","));
      double scaleUpSeconds = seconds(scaledAt - loadStart);
      System.out.printf(Locale.ROOT, "min=1 max=%d concurrency=%d slow_ms=%d ready_s=%s serving_s=%s requests=%d "
              + "requests_per_s=%.0f p50_ms=%d p99_ms=%d errors=%d back_to_min_s=%.1f%n",
          max, clients, slowMillis, readySeconds, servingSeconds,
          scaleUpMicros.length, scaleUpMicros.length / scaleUpSeconds,
          BenchCommand.percentile(scaleUpMicros, 50) / 1_000, BenchCommand.percentile(scaleUpMicros, 99) / 1_000,
          errors, seconds(backAt - stoppedAt));
      return 0;
    }
  }

  private MachineProbe probe() {
    return MachineProbe.measure(probeMebibytes, Runtime.getRuntime().availableProcessors(),
        (int) ((long) MachineProbe.WALK_STEPS * probeMebibytes / MachineProbe.MEBIBYTES));
  }

  /** Creates the echo service: one public port, replicas 1..max, the idle timeout; fails unless 201. */
  private void create(HttpClient api, URI services, String token) throws IOException, InterruptedException {
    String body = "{\"name\": \"" + SERVICE + "\", \"image\": \"tugboat/echo-service:1\","
        + " \"publishedPorts\": [{\"port\": 8080, \"access\": \"public\"}],"
        + " \"replicas\": {\"min\": 1, \"max\": " + max + "}, \"idleTimeout\": \"PT" + idleSeconds + "S\"}";
    HttpResponse<String> created = api.send(HttpRequest.newBuilder(services)
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (created.statusCode() != 201) {
      throw new IllegalStateException("bench-scale: creating the service was answered " + created.statusCode()
          + ": " + created.body());
    }
  }

  /** Polls the view until {@code wanted} holds; false at the timeout. */
  private boolean await(HttpClient api, URI view, Predicate<View> wanted, long since)
      throws IOException, InterruptedException {
    long deadline = since + Duration.ofSeconds(timeoutSeconds).toNanos();
    while (System.nanoTime() < deadline) {
      if (wanted.test(read(api, view))) {
        return true;
      }
      Thread.sleep(POLL.toMillis());
    }
    return false;
  }

  private static View read(HttpClient api, URI view) throws IOException, InterruptedException {
    HttpResponse<String> response = api.send(HttpRequest.newBuilder(view).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("bench-scale: GET " + view + " was answered " + response.statusCode() + ": "
          + response.body());
    }
    JsonNode replicas = new ObjectMapper().readTree(response.body()).path("replicaStates");
    int ready = 0;
    for (JsonNode r : replicas) {
      if (r.path("ready").asBoolean()) {
        ready++;
      }
    }
    return new View(replicas.size(), ready);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static String format(double seconds) {
    return String.format(Locale.ROOT, "%.1f", seconds);
  }

  private static void log(String line) {
    System.out.println("bench-scale: " + line);
  }
}
