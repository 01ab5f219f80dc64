package dev.tugboat.demo;

import dev.tugboat.k8s.sim.ApiServerAccess;
import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.mqtt.sim.EmbeddedBroker;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.topics.Topic;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tugboat bench-cold}: what a freshly started node does with its first simulation,
 * compared with its second. Starts in this process the embedded broker, a simulated SO and the
 * simulated Kubernetes serving https with a self-signed certificate and a bearer token; then one
 * node as a separate JVM ({@code Main run}) set up the way a DOTS deployment sets it up, through
 * environment variables only (TUGBOAT_MODE=production, MQTT_HOST/PORT, KUBERNETES_HOST/PORT/
 * API_TOKEN: mode dots-env; TUGBOAT_SECRET_KEY_FILE). It waits for the node's {@code /health/ready} (the time from the
 * process start is printed as {@code node: start_to_ready_ms}), deploys one simulation of N fake
 * models over MQTT, waits for AllModelsHaveTerminated and for the pods' deletion, and does the
 * same again on the same node. One line per simulation:
 * {@code first: create_per_s=... ready_ms=... detect_p99_ms=... all_ended_ms=...}, then
 * {@code second: ...}; each figure as in {@code bench} (create_per_s: N / time from DeployModels
 * sent to the last pod stored; ready_ms: DeployModels sent to ModelsReady received; detect:
 * container finishedAt to ModelHasTerminated received; all_ended_ms: DeployModels sent to
 * AllModelsHaveTerminated received). Exits 1 when the node does not become ready or a
 * simulation does not end within {@code --timeout-seconds}.
 */
@Command(name = "bench-cold", mixinStandardHelpOptions = true,
    description = "Benchmark a fresh node process: its first simulation of N fake models, then a second one, "
        + "against a simulated Kubernetes reached over https with a bearer token.")
final class ColdBenchCommand implements Callable<Integer> {
  private static final String SIMULATOR_ID = "bench";
  private static final String NAMESPACE = "dots";
  /** The bench gives up waiting for the pods' deletion once none has gone for this long. */
  private static final Duration DELETES_STALLED = Duration.ofSeconds(30);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--models", description = "Fake models per simulation (default: ${DEFAULT-VALUE}).")
  int models = 200;

  @Option(names = "--run-seconds", description = "How long each fake model runs after ReadyForProcessing (default: ${DEFAULT-VALUE}).")
  int runSeconds = 10;

  @Option(names = "--node-class-path", description = "Class path of the node process, e.g. node/target/tugboat.jar "
      + "(default: this process's class path).")
  String nodeClassPath;

  @Option(names = "--node-jvm-options", description = "JVM options of the node process (default: ${DEFAULT-VALUE}).")
  String nodeJvmOptions = "-Xmx1g -XX:+ExitOnOutOfMemoryError -XX:+UseTransparentHugePages";

  @Option(names = "--data-dir", description = "Data directory (broker, the node's data and log), emptied first "
      + "(default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of("data", "bench-cold");

  @Option(names = "--timeout-seconds", description = "Give up (exit 1) when the node is not ready, or a simulation "
      + "has not ended, after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 300;

  /** What one simulation measured. */
  record Figures(double createPerS, long readyMs, long detectP50Ms, long detectP99Ms, long allEndedMs) {
    String line(String name) {
      return String.format(Locale.ROOT, "%s: create_per_s=%.0f ready_ms=%d detect_p50_ms=%d detect_p99_ms=%d "
          + "all_ended_ms=%d", name, createPerS, readyMs, detectP50Ms, detectP99Ms, allEndedMs);
    }
  }

  @Override
  public Integer call() throws Exception {
    if (models < 1 || runSeconds < 0 || timeoutSeconds < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--models and --timeout-seconds must be at least 1, --run-seconds not negative");
    }
    return run(List.of("first", "second"), true);
  }

  /**
   * Starts the node, runs the named simulations one after the other on it and stops it with
   * SIGTERM (so that what the JVM writes at its exit is complete); the machine probe before and
   * after when {@code probe}. 0 when every simulation ended in time, else 1.
   */
  int run(List<String> simulations, boolean probe) throws Exception {
    EmbeddedRun.wipe(dataDir);
    if (probe) {
      System.out.println("bench-cold: " + MachineProbe.measure().describe("before"));
    }
    Path data = dataDir.toAbsolutePath();
    String token = UUID.randomUUID().toString();
    try (EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", 0, data.resolve("broker"));
         SimulatedKubernetes k8s = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults(NAMESPACE)
             .withModelRunTime(Duration.ofSeconds(runSeconds)), ApiServerAccess.httpsWithToken(token));
         SimulatedSo so = SimulatedSo.connect("127.0.0.1", broker.port(), "dots-so")) {
      Map<String, Long> createdNanos = new ConcurrentHashMap<>();
      Map<String, Instant> finishedAt = new ConcurrentHashMap<>();
      // Observed in process: a watch through the API server would add to the load it measures.
      BenchCommand.observePods(k8s, createdNanos, finishedAt);
      try (NodeProcess node = nodeProcess(data, broker.port(), k8s.port(), token)) {
        long started = System.nanoTime();
        node.start();
        log("node started: pid " + node.pid() + ", log " + node.log);
        long readyAt = awaitReady(node, started + Duration.ofSeconds(timeoutSeconds).toNanos());
        if (readyAt < 0) {
          log("the node was not ready within " + timeoutSeconds + " s" + (node.isAlive() ? "" : " (it ended)")
              + "; see " + node.log);
          return 1;
        }
        System.out.printf(Locale.ROOT, "node: start_to_ready_ms=%d%n", (readyAt - started) / 1_000_000);
        List<String> lines = new ArrayList<>();
        for (String name : simulations) {
          Optional<Figures> figures = simulation(name, so, k8s, broker.port(), createdNanos, finishedAt);
          if (figures.isEmpty() || !node.isAlive()) {
            log("the " + name + " simulation did not end within " + timeoutSeconds + " s; see " + node.log);
            return 1;
          }
          lines.add(figures.get().line(name));
          log(figures.get().line(name));
        }
        // SIGTERM, so that what the node writes on exit (a flight recording, say) is complete.
        node.terminate();
        if (probe) {
          System.out.println("bench-cold: " + MachineProbe.measure().describe("after"));
        }
        lines.forEach(System.out::println);
        return 0;
      }
    }
  }

  /** The node as a DOTS deployment starts it: production mode, everything it needs from the DOTS variables. */
  private NodeProcess nodeProcess(Path data, int mqttPort, int apiServerPort, String token) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("TUGBOAT_MODE", "production");
    env.put("TUGBOAT_DATA_DIR", data.resolve("node").toString());
    env.put("MQTT_HOST", "127.0.0.1");
    env.put("MQTT_PORT", Integer.toString(mqttPort));
    env.put("KUBERNETES_HOST", "127.0.0.1");
    env.put("KUBERNETES_PORT", Integer.toString(apiServerPort));
    env.put("KUBERNETES_API_TOKEN", token);
    env.put("KUBERNETES_NAMESPACE", NAMESPACE);
    env.put("TUGBOAT_HTTP_INTERFACE", "127.0.0.1");
    Path keyFile = data.resolve("secret.key");
    dev.tugboat.protocol.SecretKey.readOrCreate(keyFile);
    env.put("TUGBOAT_SECRET_KEY_FILE", keyFile.toString());
    String classPath = nodeClassPath != null ? nodeClassPath : BenchCluster.absoluteClassPath();
    List<String> jvm = Arrays.stream(nodeJvmOptions.trim().split("\\s+")).filter(o -> !o.isEmpty()).toList();
    return new NodeProcess(1, classPath, jvm, BenchCluster.freePort(), BenchCluster.freePort(), data.resolve("node.log"),
        Map.of("pekko.remote.artery.canonical.hostname", "127.0.0.1"), env);
  }

  /** Polls the node's readiness every 20 ms; the moment it answered ready, or -1 at the deadline or its end. */
  private static long awaitReady(NodeProcess node, long deadline) throws InterruptedException {
    while (System.nanoTime() < deadline && node.isAlive()) {
      if (node.isReady()) {
        return System.nanoTime();
      }
      Thread.sleep(20);
    }
    return -1;
  }

  /** One simulation of the N models, measured; empty when it did not end in time. */
  private Optional<Figures> simulation(String simulationId, SimulatedSo so, SimulatedKubernetes k8s, int mqttPort,
      Map<String, Long> createdNanos, Map<String, Instant> finishedAt) throws Exception {
    log("deploying " + models + " fake models as simulation " + simulationId + " (run time " + runSeconds + " s)");
    long t0 = System.nanoTime();
    so.deploy(SIMULATOR_ID, simulationId, FakeModels.specs("127.0.0.1", mqttPort, SIMULATOR_ID, simulationId, models), 0.0);
    long readyNanos = -1;
    long allNanos = -1;
    List<Long> detectMs = new ArrayList<>(models);
    long deadline = t0 + Duration.ofSeconds(timeoutSeconds).toNanos();
    while (System.nanoTime() < deadline && allNanos < 0) {
      Optional<SimulatedSo.Received> next = so.next(Duration.ofSeconds(1));
      if (next.isEmpty() || !next.get().topic().format().contains("/" + simulationId + "/")) {
        continue;
      }
      SimulatedSo.Received r = next.get();
      if (r.topic() instanceof Topic.ModelsReady) {
        readyNanos = r.arrivedNanos();
      } else if (r.topic() instanceof Topic.ModelHasTerminated t) {
        long arrivedWall = Instant.now().toEpochMilli() - (System.nanoTime() - r.arrivedNanos()) / 1_000_000;
        Instant finished = finishedAt.get(PodNames.podName(SIMULATOR_ID, simulationId, t.modelId()));
        if (finished != null) {
          detectMs.add(arrivedWall - finished.toEpochMilli());
        }
      } else if (r.topic() instanceof Topic.AllModelsHaveTerminated) {
        allNanos = r.arrivedNanos();
      }
    }
    if (allNanos < 0) {
      return Optional.empty();
    }
    String prefix = PodNames.podName(SIMULATOR_ID, simulationId, "m0").replaceFirst("m0$", "");
    long[] created = createdNanos.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(Map.Entry::getValue).sorted().toArray();
    long last = created.length == 0 ? t0 : created[created.length - 1];
    long[] createdMs = Arrays.stream(created).map(n -> (n - t0) / 1_000_000).toArray();
    log(String.format(Locale.ROOT, "%s: pods created after (ms) first=%d p50=%d last=%d; %d terminations measured",
        simulationId, BenchCommand.percentile(createdMs, 0), BenchCommand.percentile(createdMs, 50),
        BenchCommand.percentile(createdMs, 100), detectMs.size()));
    long[] detect = detectMs.stream().mapToLong(Long::longValue).sorted().toArray();
    // Its pods are deleted right after (keep-logs 0): wait for that, so it does not overlap the next.
    if (!BenchCommand.podsGone(k8s, DELETES_STALLED)) {
      log(k8s.storedPods() + " pods of " + simulationId + " were not deleted");
    }
    return Optional.of(new Figures(created.length / ((last - t0) / 1e9), readyNanos < 0 ? -1 : (readyNanos - t0) / 1_000_000,
        BenchCommand.percentile(detect, 50), BenchCommand.percentile(detect, 99), (allNanos - t0) / 1_000_000));
  }

  private static void log(String line) {
    System.out.println("bench-cold: " + line);
  }
}
