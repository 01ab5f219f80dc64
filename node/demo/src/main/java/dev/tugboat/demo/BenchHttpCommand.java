package dev.tugboat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.topics.Topic;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tugboat bench-http}: the HTTP API's read side under load. Runs N simulations of M fake
 * models to their end on the embedded stack, waits until the simulation list shows them all, then
 * asks, at a fixed rate for a fixed time, half the time for a page of the list and half the time
 * for one simulation chosen at random. Prints the latencies of both (counted from when each
 * request was due, see {@link OpenLoad}); last line: simulations, rate, sent_per_s,
 * list_p50/p99_ms, get_p50/p99_ms, errors.
 */
@Command(name = "bench-http", mixinStandardHelpOptions = true,
    description = "Benchmark the HTTP API's list and get on a node holding many ended simulations.")
final class BenchHttpCommand implements Callable<Integer> {
  private static final String SIMULATOR_ID = "bench";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--simulations", description = "Ended simulations the node holds (default: ${DEFAULT-VALUE}).")
  int simulations = 1000;

  @Option(names = "--models", description = "Fake models per simulation (default: ${DEFAULT-VALUE}).")
  int models = 10;

  @Option(names = "--rate", description = "Requests a second (default: ${DEFAULT-VALUE}).")
  int rate = 2000;

  @Option(names = "--seconds", description = "How long the measured load lasts (default: ${DEFAULT-VALUE}).")
  int seconds = 30;

  @Option(names = "--warmup-seconds", description = "Load at the same rate before, not measured (default: ${DEFAULT-VALUE}).")
  int warmupSeconds = 10;

  @Option(names = "--wave", description = "Simulations deployed at once while filling the node (default: ${DEFAULT-VALUE}).")
  int wave = 50;

  @Option(names = "--data-dir", description = "Data directory, emptied first (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of("data", "bench-http");

  @Option(names = "--timeout-seconds", description = "Give up filling the node after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 900;

  @Mixin
  EmbeddedPorts ports = new EmbeddedPorts();

  @Override
  public Integer call() throws Exception {
    if (simulations < 1 || models < 1 || rate < 1 || seconds < 1 || warmupSeconds < 0 || wave < 1) {
      System.err.println("bench-http: --simulations, --models, --rate, --seconds and --wave must be positive");
      return 2;
    }
    System.out.println("bench-http: " + MachineProbe.measure().describe("before"));
    try (EmbeddedMode.EmbeddedNode embedded = EmbeddedRun.start(dataDir, ports.mqtt, ports.http, 1);
         SimulatedSo so = SimulatedSo.connect(embedded.mqttHost(), ports.mqtt, "dots-so")) {
      String host = embedded.node().bridge().settings().host();
      long fillStart = System.nanoTime();
      if (!fill(so, host)) {
        return 1;
      }
      System.out.printf("bench-http: %d simulations of %d models ended after %d s%n", simulations, models,
          (System.nanoTime() - fillStart) / 1_000_000_000L);
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      URI base = URI.create("http://127.0.0.1:" + embedded.node().httpPort() + "/api/v1/");
      if (!awaitListed(client, base, Duration.ofSeconds(120))) {
        System.err.println("bench-http: the simulation list did not show every simulation ENDED within 120 s");
        return 1;
      }
      OpenLoad load = new OpenLoad(client);
      SplittableRandom random = new SplittableRandom(42);
      Duration answerTimeout = Duration.ofSeconds(30);
      if (warmupSeconds > 0) {
        System.out.printf("bench-http: warm-up, %d s at %d requests/s (not measured)%n", warmupSeconds, rate);
        load.run(rate, Duration.ofSeconds(warmupSeconds), i -> plan(base, i, random), answerTimeout);
      }
      System.out.printf("bench-http: measuring, %d s at %d requests/s%n", seconds, rate);
      OpenLoad.Result result = load.run(rate, Duration.ofSeconds(seconds), i -> plan(base, i, random), answerTimeout);
      OpenLoad.Figures list = result.figures().stream().filter(f -> f.kind().equals("list")).findFirst().orElseThrow();
      OpenLoad.Figures get = result.figures().stream().filter(f -> f.kind().equals("get")).findFirst().orElseThrow();
      System.out.println("bench-http: " + list.describe());
      System.out.println("bench-http: " + get.describe());
      System.out.println("bench-http: " + MachineProbe.measure().describe("after"));
      System.out.printf(Locale.ROOT, "simulations=%d rate=%d sent_per_s=%.0f list_p50_ms=%d list_p99_ms=%d "
              + "get_p50_ms=%d get_p99_ms=%d errors=%d%n",
          simulations, rate, result.sentPerSecond(),
          BenchCommand.percentile(list.sortedMillis(), 50), BenchCommand.percentile(list.sortedMillis(), 99),
          BenchCommand.percentile(get.sortedMillis(), 50), BenchCommand.percentile(get.sortedMillis(), 99),
          list.errors() + get.errors());
      return 0;
    }
  }

  /** Deploys the simulations a wave at a time and waits for each wave's AllModelsHaveTerminated. */
  private boolean fill(SimulatedSo so, String mqttHost) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    for (int first = 0; first < simulations; first += wave) {
      int last = Math.min(simulations, first + wave);
      Set<String> running = new HashSet<>();
      for (int s = first; s < last; s++) {
        String id = simulationId(s);
        so.deploy(SIMULATOR_ID, id, FakeModels.specs(mqttHost, ports.mqtt, SIMULATOR_ID, id, models), 0.0);
        running.add(id);
      }
      while (!running.isEmpty()) {
        if (System.nanoTime() > deadline) {
          System.err.printf("bench-http: %d simulations had not ended after %d s%n", running.size(), timeoutSeconds);
          return false;
        }
        so.next(Duration.ofSeconds(1)).ifPresent(r -> {
          if (r.topic() instanceof Topic.AllModelsHaveTerminated t) {
            running.remove(t.simulationId());
          }
        });
      }
      System.out.printf("bench-http: %d of %d simulations ended%n", last, simulations);
    }
    return true;
  }

  /** Waits until the list's read model counts every simulation as ENDED. */
  private boolean awaitListed(HttpClient client, URI base, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (countEnded(client, base) >= simulations) {
        return true;
      }
      Thread.sleep(500);
    }
    return false;
  }

  private static int countEnded(HttpClient client, URI base) throws Exception {
    int count = 0;
    String after = null;
    do {
      String query = "simulations?phase=ENDED&limit=500"
          + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
      HttpResponse<String> page = client.send(HttpRequest.newBuilder(base.resolve(query)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (page.statusCode() != 200) {
        return count;
      }
      JsonNode body = JSON.readTree(page.body());
      count += body.path("items").size();
      after = body.path("next").isTextual() ? body.path("next").asText() : null;
    } while (after != null);
    return count;
  }

  /** Even requests ask for the list's first page, odd ones for a random simulation. */
  private OpenLoad.Planned plan(URI base, int index, SplittableRandom random) {
    if (index % 2 == 0) {
      return new OpenLoad.Planned("list", HttpRequest.newBuilder(base.resolve("simulations?limit=50")).build());
    }
    String id = simulationId(random.nextInt(simulations));
    return new OpenLoad.Planned("get", HttpRequest.newBuilder(base.resolve("simulations/" + id)).build());
  }

  private static String simulationId(int index) {
    return String.format("bench-http-%04d", index);
  }
}
