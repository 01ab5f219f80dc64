package dev.tugboat.demo;

import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.node.TugboatNode;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tugboat bench-flood}: a node on the embedded stack under a flood of hostile MQTT
 * messages (random bytes, empty and mutated DeployModels, invalid requests, requests over the
 * limits, ReadyForProcessing for nobody), published as fast as one connection with
 * half of {@link #MAX_IN_FLIGHT} messages in flight allows, while a valid three-model simulation runs. Prints, last line: the
 * flood's size, how the node answered it (dropped, refused, rejected), the valid simulation's
 * times with and without the flood, and the peak heap and resident memory of the process.
 */
@Command(name = "bench-flood", mixinStandardHelpOptions = true,
    description = "Benchmark a node under a flood of hostile MQTT messages while a valid simulation runs.")
final class FloodBenchCommand implements Callable<Integer> {
  private static final String SIMULATOR_ID = "flood";
  /** Paho's bound on unacknowledged publishes; the flood keeps half of it in flight (Paho counts with a lag). */
  private static final int MAX_IN_FLIGHT = 1000;

  @Option(names = "--messages", description = "Hostile messages to publish (default: ${DEFAULT-VALUE}).")
  int messages = 20_000;

  @Option(names = "--large", description = "Of those, messages over a limit by size: half a payload just over "
      + "max-message-bytes, half a DeployModels of 20,000 models (default: ${DEFAULT-VALUE}).")
  int large = 40;

  @Option(names = "--seed", description = "Seed of the generated messages (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--data-dir", description = "Data directory, emptied first (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of("data", "bench-flood");

  @Option(names = "--timeout-seconds", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 600;

  @Mixin
  EmbeddedPorts ports = new EmbeddedPorts();

  @Override
  public Integer call() throws Exception {
    System.out.println("bench-flood: " + MachineProbe.measure().describe("before"));
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    AtomicLong peakHeap = new AtomicLong();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-flood-memory");
      t.setDaemon(true);
      return t;
    });
    sampler.scheduleAtFixedRate(() -> peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max),
        0, 50, TimeUnit.MILLISECONDS);
    try (EmbeddedMode.EmbeddedNode embedded = EmbeddedRun.start(dataDir, ports.mqtt, ports.http, 1);
         SimulatedSo so = SimulatedSo.connect(embedded.mqttHost(), ports.mqtt, "dots-so")) {
      TugboatNode node = embedded.node();
      long[] baseline = runValid(node, so, "baseline", null);
      if (baseline == null) {
        return 1;
      }
      System.gc();
      long heapBefore = memory.getHeapMemoryUsage().getUsed();
      peakHeap.set(heapBefore);
      long countedBefore = inboundCounted(node);

      Flood flood = new Flood(new Random(seed), node, messages, large);
      MqttAsyncClient attacker = new MqttAsyncClient("tcp://" + node.bridge().settings().host() + ":" + ports.mqtt,
          "bench-flood-attacker", new MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setMaxInflight(MAX_IN_FLIGHT);
      options.setCleanSession(true);
      attacker.connect(options).waitForCompletion(10_000);
      long t0 = System.nanoTime();
      long[] during;
      try {
        Thread sender = new Thread(() -> flood.publish(attacker), "bench-flood-sender");
        sender.start();
        // The valid simulation goes in once a third of the flood is on its way.
        while (flood.sent() < messages / 3 && sender.isAlive()) {
          Thread.sleep(5);
        }
        during = runValid(node, so, "during", flood);
        sender.join(TimeUnit.SECONDS.toMillis(timeoutSeconds));
      } finally {
        attacker.disconnect().waitForCompletion(10_000);
        attacker.close();
      }
      double publishS = (System.nanoTime() - t0) / 1e9;
      if (during == null) {
        return 1;
      }
      // Every hostile message has been answered (dropped, refused, rejected or accepted) once the counts add up.
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      // Every hostile message goes to a topic Tugboat subscribes to, so each one is counted once.
      long expected = countedBefore + flood.sent() + 4;
      while (inboundCounted(node) < expected && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      double handledS = (System.nanoTime() - t0) / 1e9;
      sampler.shutdownNow();
      String metrics = scrape(node);
      System.out.println("bench-flood: " + MachineProbe.measure().describe("after"));
      System.out.printf(Locale.ROOT, "messages=%d flood_mb=%.0f publish_s=%.1f handled_s=%.1f dropped=%.0f refused=%.0f "
              + "rejected=%.0f accepted=%.0f valid_ready_ms=%d valid_all_terminated_ms=%d baseline_ready_ms=%d "
              + "baseline_all_terminated_ms=%d heap_before_mb=%d heap_peak_mb=%d rss_peak_mb=%d%n",
          flood.sent(), flood.bytes() / 1048576.0, publishS, handledS,
          sum(metrics, "tugboat_mqtt_inbound_dropped_total"), sum(metrics, "tugboat_mqtt_inbound_refused_total"),
          sum(metrics, "tugboat_mqtt_inbound_total", "outcome=\"rejected\""),
          sum(metrics, "tugboat_mqtt_inbound_total", "outcome=\"accepted\""),
          during[0], during[1], baseline[0], baseline[1], heapBefore >> 20, peakHeap.get() >> 20, peakRssMb());
      return 0;
    } finally {
      sampler.shutdownNow();
    }
  }

  /** Deploys three fake models and returns {ready ms, all terminated ms}, or null on timeout. */
  private long[] runValid(TugboatNode node, SimulatedSo so, String simulationId, Flood flood) throws Exception {
    List<ModelSpec> models = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      models.add(fakeModel(node, simulationId, "m" + i));
    }
    long t0 = System.nanoTime();
    so.deploy(SIMULATOR_ID, simulationId, models, 0.0);
    long ready = -1;
    long deadline = t0 + Duration.ofSeconds(timeoutSeconds).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<SimulatedSo.Received> r = so.next(Duration.ofSeconds(1));
      if (r.isEmpty() || !r.get().topic().format().contains("/" + simulationId + "/")) {
        continue;
      }
      if (r.get().topic() instanceof Topic.ModelsReady) {
        ready = (r.get().arrivedNanos() - t0) / 1_000_000;
      } else if (r.get().topic() instanceof Topic.AllModelsHaveTerminated) {
        long all = (r.get().arrivedNanos() - t0) / 1_000_000;
        System.out.printf("bench-flood: simulation %s: ModelsReady after %d ms, AllModelsHaveTerminated after %d ms%s%n",
            simulationId, ready, all, flood == null ? "" : " (" + flood.sent() + " hostile messages sent by then)");
        return new long[] {ready, all};
      }
    }
    System.err.println("bench-flood: simulation " + simulationId + " did not end within " + timeoutSeconds + " s");
    return null;
  }

  private ModelSpec fakeModel(TugboatNode node, String simulationId, String modelId) {
    return new ModelSpec(modelId, "fake_model:latest", List.of(
        new EnvVar("MQTT_HOST", node.bridge().settings().host()),
        new EnvVar("MQTT_PORT", Integer.toString(ports.mqtt)),
        new EnvVar("SIMULATOR_ID", SIMULATOR_ID), new EnvVar("SIMULATION_ID", simulationId),
        new EnvVar("MODEL_ID", modelId)));
  }

  /** Inbound messages the bridge has answered so far: dropped, or answered by their entity. */
  private long inboundCounted(TugboatNode node) throws Exception {
    String metrics = scrape(node);
    return (long) (sum(metrics, "tugboat_mqtt_inbound_dropped_total") + sum(metrics, "tugboat_mqtt_inbound_total"));
  }

  private static String scrape(TugboatNode node) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  /** The sum of a Prometheus counter's series whose labels contain {@code labelPart}. */
  private static double sum(String metrics, String name, String... labelPart) {
    double total = 0;
    for (String line : metrics.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      if (labelPart.length > 0 && !line.contains(labelPart[0])) {
        continue;
      }
      total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return total;
  }

  /** The process's peak resident set (VmHWM), or -1 where /proc is not there. */
  private static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }

  /** The hostile messages, generated from one seed, and their publishing. */
  private static final class Flood {
    private final Random random;
    private final int count;
    private final int large;
    private final long maxMessageBytes;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    Flood(Random random, TugboatNode node, int count, int large) {
      this.random = random;
      this.count = count;
      this.large = large;
      this.maxMessageBytes = node.system().settings().config().getBytes("tugboat.limits.max-message-bytes");
    }

    long sent() {
      return sent.get();
    }

    long bytes() {
      return bytes.get();
    }

    void publish(MqttAsyncClient client) {
      List<IMqttDeliveryToken> inFlight = new ArrayList<>();
      int largeEvery = large == 0 ? Integer.MAX_VALUE : Math.max(1, count / large);
      try {
        for (int i = 0; i < count; i++) {
          String simulationId = "flood-" + i;
          String topic = "/lifecycle/dots-so/mso/" + simulationId + "/DeployModels";
          byte[] payload;
          if (i % largeEvery == largeEvery - 1) {
            payload = (i / largeEvery) % 2 == 0 ? new byte[(int) maxMessageBytes + 1] : manyModels(20_000);
          } else {
            int kind = random.nextInt(100);
            if (kind < 30) {
              payload = randomBytes(random.nextInt(300));
            } else if (kind < 40) {
              payload = new byte[0];
            } else if (kind < 55) {
              payload = mutate(validRequest(3));
            } else if (kind < 70) {
              payload = invalidRequest();
            } else if (kind < 80) {
              topic = "/lifecycle/model/mso/" + simulationId + "/m" + random.nextInt(5) + "/ReadyForProcessing";
              payload = new byte[0];
            } else if (kind < 90) {
              topic = "/lifecycle/model/mso/" + simulationId + "/m0/ReadyForProcessing";
              payload = randomBytes(1 + random.nextInt(50));
            } else {
              topic = "/lifecycle/dots-so/mso/" + simulationId + "\u202E/DeployModels";
              payload = validRequest(1);
            }
          }
          if (inFlight.size() >= MAX_IN_FLIGHT / 2) {
            inFlight.remove(0).waitForCompletion(60_000);
          }
          MqttMessage message = new MqttMessage(payload);
          message.setQos(1);
          inFlight.add(client.publish(topic, message));
          bytes.addAndGet(payload.length);
          sent.incrementAndGet();
        }
        for (IMqttDeliveryToken t : inFlight) {
          t.waitForCompletion(60_000);
        }
      } catch (MqttException e) {
        System.err.println("bench-flood: the flood stopped after " + sent.get() + " messages: " + e);
      }
    }

    private byte[] randomBytes(int n) {
      byte[] b = new byte[n];
      random.nextBytes(b);
      return b;
    }

    private byte[] validRequest(int models) {
      Lifecycle.DeployModels.Builder b = Lifecycle.DeployModels.newBuilder().setSimulatorId(SIMULATOR_ID);
      for (int m = 0; m < models; m++) {
        b.addModelConfigurations(Lifecycle.ModelConfiguration.newBuilder().setModelID("m" + m)
            .setImageUrl("busybox"));
      }
      return b.build().toByteArray();
    }

    private byte[] invalidRequest() {
      Lifecycle.ModelConfiguration.Builder m = Lifecycle.ModelConfiguration.newBuilder().setModelID("m0");
      switch (random.nextInt(4)) {
        case 0 -> m.setImageUrl("NOT AN IMAGE");
        case 1 -> m.setImageUrl("img:1").addEnvironmentVariables(
            Lifecycle.EnvironmentVariable.newBuilder().setName("1 BAD NAME").setValue("x"));
        case 2 -> m.setImageUrl("img:1").addEnvironmentVariables(
            Lifecycle.EnvironmentVariable.newBuilder().setName("BIG").setValue("x".repeat(40_000)));
        default -> m.setModelID("m/0").setImageUrl("img:1");
      }
      return Lifecycle.DeployModels.newBuilder().setSimulatorId(SIMULATOR_ID).setKeepLogsHours(1)
          .addModelConfigurations(m).build().toByteArray();
    }

    private byte[] manyModels(int n) {
      return validRequest(n);
    }

    private byte[] mutate(byte[] valid) {
      byte[] copy = valid.clone();
      for (int k = 0; k < 1 + random.nextInt(3); k++) {
        copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
      }
      return random.nextBoolean() ? copy : java.util.Arrays.copyOf(copy, random.nextInt(copy.length));
    }
  }
}
