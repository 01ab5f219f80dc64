package dev.tugboat.demo;

import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.node.TugboatNode;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.topics.Topic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tugboat bench-events --clients C --models N}: C readers of the event stream on the
 * embedded stack while one simulation of N fake models runs. Each event's delay is its arrival at
 * a reader minus its {@code at} (when the entity decided it, just before writing it, so the figure
 * includes the journal write). Prints, last line: clients, models, events (of the measured
 * simulation, per reader), deliveries, delay_p50_ms, delay_p99_ms, delay_max_ms, short_readers
 * (readers that got fewer events than the others: lost events).
 */
@Command(name = "bench-events", mixinStandardHelpOptions = true,
    description = "Benchmark the event stream: C readers while one simulation of N fake models runs.")
final class EventsBenchCommand implements Callable<Integer> {
  private static final String SIMULATOR_ID = "bench";
  private static final String SIMULATION_ID = "events-sim";
  private static final String WARMUP_ID = "events-warmup";
  private static final String END = "AllModelsHaveTerminatedQueued";

  @Option(names = "--clients", description = "Readers of the event stream (default: ${DEFAULT-VALUE}).")
  int clients = 100;

  @Option(names = "--models", description = "Fake models of the measured simulation (default: ${DEFAULT-VALUE}).")
  int models = 200;

  @Option(names = "--warmup", description = "Models of an unmeasured simulation run first (default: ${DEFAULT-VALUE}).")
  int warmup = 50;

  @Option(names = "--run-seconds", description = "How long each fake model runs after ReadyForProcessing (default: ${DEFAULT-VALUE}).")
  int runSeconds = 5;

  @Option(names = "--data-dir", description = "Data directory, emptied first (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of("data", "bench-events");

  @Option(names = "--timeout-seconds", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 300;

  @Mixin
  EmbeddedPorts ports = new EmbeddedPorts();

  /** One reader: the delays (ms) of the measured simulation's events and whether its end arrived. */
  private static final class Reader implements Flow.Subscriber<String> {
    final ConcurrentLinkedQueue<Double> delays = new ConcurrentLinkedQueue<>();
    final CountDownLatch warmedUp = new CountDownLatch(1);
    final CountDownLatch ended = new CountDownLatch(1);
    final AtomicInteger events = new AtomicInteger();
    volatile Throwable failure;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (!line.startsWith("data: ")) {
        return;
      }
      Instant arrived = Instant.now();
      // The fields are read off the line rather than parsed: a hundred readers share the node's cores.
      String simulation = field(line, "simulationId");
      String type = field(line, "type");
      if (simulation.equals(WARMUP_ID) && type.equals(END)) {
        warmedUp.countDown();
      }
      if (!simulation.equals(SIMULATION_ID)) {
        return;
      }
      delays.add(Duration.between(Instant.parse(field(line, "at")), arrived).toNanos() / 1e6);
      events.incrementAndGet();
      if (type.equals(END)) {
        ended.countDown();
      }
    }

    /** A string field's value in the JSON of a data line (the bench's ids and the types hold no quote). */
    private static String field(String line, String name) {
      String key = "\"" + name + "\":\"";
      int start = line.indexOf(key);
      if (start < 0) {
        return "";
      }
      start += key.length();
      return line.substring(start, line.indexOf('"', start));
    }

    @Override
    public void onError(Throwable throwable) {
      failure = throwable;
      warmedUp.countDown();
      ended.countDown();
    }

    @Override
    public void onComplete() {
      ended.countDown();
    }
  }

  @Override
  public Integer call() throws Exception {
    System.out.println("bench-events: " + MachineProbe.measure().describe("before"));
    try (EmbeddedMode.EmbeddedNode embedded = EmbeddedRun.start(dataDir, ports.mqtt, ports.http, runSeconds);
         SimulatedSo so = SimulatedSo.connect(embedded.mqttHost(), ports.mqtt, "dots-so")) {
      TugboatNode node = embedded.node();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      List<Reader> readers = new ArrayList<>(clients);
      for (int i = 0; i < clients; i++) {
        Reader reader = new Reader();
        readers.add(reader);
        // after=0-0: from the beginning of the (fresh) journal, so no reader misses the warm-up's start.
        http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
            + "/api/v1/events?after=0-0")).build(), HttpResponse.BodyHandlers.fromLineSubscriber(reader));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      System.out.println("bench-events: " + clients + " readers; warm-up simulation of " + warmup
          + " fake models (not measured)");
      so.deploy(SIMULATOR_ID, WARMUP_ID, specs(node, WARMUP_ID, warmup), 0.0);
      for (Reader r : readers) {
        if (!r.warmedUp.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) || r.failure != null) {
          System.err.println("bench-events: a reader did not see the warm-up end: " + r.failure);
          return 1;
        }
      }
      System.out.println("bench-events: deploying " + models + " fake models (run time " + runSeconds + " s)");
      so.deploy(SIMULATOR_ID, SIMULATION_ID, specs(node, SIMULATION_ID, models), 0.0);
      boolean soSawEnd = false;
      while (!soSawEnd && System.nanoTime() < deadline) {
        soSawEnd = so.next(Duration.ofSeconds(1)).filter(r -> r.topic() instanceof Topic.AllModelsHaveTerminated t
            && t.simulationId().equals(SIMULATION_ID)).isPresent();
      }
      for (Reader r : readers) {
        if (!r.ended.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) || r.failure != null) {
          System.err.println("bench-events: a reader did not see the simulation end within " + timeoutSeconds
              + " s: " + r.failure);
          return 1;
        }
      }
      // Events of the simulation still come after its end (deliveries, pod deletions): count once they stop.
      long settled = System.nanoTime();
      int total = -1;
      while (System.nanoTime() - settled < Duration.ofSeconds(3).toNanos() && System.nanoTime() < deadline) {
        int now = readers.stream().mapToInt(r -> r.events.get()).sum();
        if (now != total) {
          total = now;
          settled = System.nanoTime();
        }
        Thread.sleep(100);
      }
      double[] delays = readers.stream().flatMap(r -> r.delays.stream()).mapToDouble(Double::doubleValue).sorted()
          .toArray();
      int most = readers.stream().mapToInt(r -> r.events.get()).max().orElse(0);
      long short_ = readers.stream().filter(r -> r.events.get() < most).count();
      System.out.println("bench-events: " + MachineProbe.measure().describe("after"));
      System.out.printf(Locale.ROOT, "clients=%d models=%d events=%d deliveries=%d delay_p50_ms=%.1f "
              + "delay_p99_ms=%.1f delay_max_ms=%.1f short_readers=%d%n",
          clients, models, most, delays.length, percentile(delays, 50), percentile(delays, 99),
          percentile(delays, 100), short_);
      return short_ == 0 ? 0 : 1;
    }
  }

  private List<ModelSpec> specs(TugboatNode node, String simulationId, int count) {
    List<ModelSpec> specs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      specs.add(new ModelSpec("m" + i, "fake_model:latest", List.of(
          new EnvVar("MQTT_HOST", node.bridge().settings().host()),
          new EnvVar("MQTT_PORT", Integer.toString(ports.mqtt)),
          new EnvVar("SIMULATOR_ID", SIMULATOR_ID), new EnvVar("SIMULATION_ID", simulationId),
          new EnvVar("MODEL_ID", "m" + i))));
    }
    return specs;
  }

  private static double percentile(double[] sorted, int p) {
    if (sorted.length == 0) {
      return -1;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
