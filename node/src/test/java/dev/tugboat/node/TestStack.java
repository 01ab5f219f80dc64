package dev.tugboat.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.http.auth.TokenHash;
import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.mqtt.sim.EmbeddedBroker;
import dev.tugboat.mqtt.sim.SimulatedSo;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The edges of an end-to-end test, owned by the test so they outlive a node restart: a real
 * broker (HiveMQ CE embedded), the simulated Kubernetes (fabric8 mock API server in CRUD mode
 * plus the simulated kubelet), and a data directory for the H2 journal. The broker can be
 * stopped and started again on the same port and data directory.
 */
final class TestStack implements AutoCloseable {
  final Path dataDir;
  final int mqttPort;
  final SimulatedKubernetes kubernetes;
  private final EmbeddedBroker.Persistence brokerPersistence;
  private volatile EmbeddedBroker broker;
  private final HttpClient http = HttpClient.newHttpClient();
  /** An operator token every node of this stack accepts (a production node reads nothing without one). */
  final String operatorToken = TokenHash.newToken();

  private TestStack(Path dataDir, int mqttPort, EmbeddedBroker.Persistence brokerPersistence,
      SimulatedKubernetes kubernetes) {
    this.dataDir = dataDir;
    this.mqttPort = mqttPort;
    this.brokerPersistence = brokerPersistence;
    this.kubernetes = kubernetes;
  }

  static TestStack start(Duration fakeModelRunTime) throws Exception {
    return start(fakeModelRunTime, EmbeddedBroker.Persistence.IN_MEMORY);
  }

  /** A stack whose broker keeps its sessions as {@code brokerPersistence} says. */
  static TestStack start(Duration fakeModelRunTime, EmbeddedBroker.Persistence brokerPersistence) throws Exception {
    Path dir = Files.createTempDirectory("tugboat-it");
    SimulatedKubernetes k8s = SimulatedKubernetes.start(
        SimulatedKubernetesSettings.defaults("dots").withModelRunTime(fakeModelRunTime));
    TestStack stack = new TestStack(dir, freePort(), brokerPersistence, k8s);
    try {
      stack.startBroker();
    } catch (RuntimeException e) {
      k8s.close();
      throw e;
    }
    return stack;
  }

  /** Starts the broker on the stack's port and data directory (again, after {@link #stopBroker()}). */
  void startBroker() {
    if (broker != null) {
      throw new IllegalStateException("the broker is running");
    }
    broker = EmbeddedBroker.start("127.0.0.1", mqttPort, dataDir.resolve("broker"), brokerPersistence);
  }

  /** Stops the broker: every client is disconnected; on-disk sessions stay for the next start. */
  void stopBroker() {
    EmbeddedBroker b = broker;
    broker = null;
    if (b != null) {
      b.close();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  Config nodeConfig(Map<String, Object> extra) {
    Map<String, Object> m = new HashMap<>();
    m.put("tugboat.mode", "production");
    m.put("tugboat.data-dir", dataDir.resolve("node").toString());
    m.put("tugboat.secrets.key-file", keyFile().toString());
    m.put("tugboat.mqtt.host", "127.0.0.1");
    m.put("tugboat.mqtt.port", mqttPort);
    m.put("tugboat.kubernetes.mode", "simulated");
    m.put("tugboat.http.port", 0);
    m.put("tugboat.http.auth.tokens-file", tokensFile().toString());
    m.put("pekko.remote.artery.canonical.port", 0);
    // The warm-up's parts have tests of their own (KubernetesWarmUpIT, JournalWarmUpIT) and
    // bench-cold's ColdBenchIT runs it in a node process; the many nodes started here need not pay for it.
    m.put("tugboat.warm-up.enabled", false);
    m.putAll(extra);
    return TugboatNode.loadConfig(ConfigFactory.parseMap(m));
  }

  TugboatNode startNode(Map<String, Object> extra) throws Exception {
    TugboatNode node = TugboatNode.start(nodeConfig(extra), Optional.of(kubernetes.client()));
    node.awaitReady(Duration.ofSeconds(60));
    return node;
  }

  /** The tokens file every node of this stack reads: {@link #operatorToken} as operator {@code tests}. */
  Path tokensFile() {
    Path file = dataDir.resolve("tokens");
    try {
      Files.writeString(file, TokenHash.of(operatorToken) + " operator tests\n");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return file;
  }

  /** The key every node of this stack seals with (a production node needs one), made on first use. */
  Path keyFile() {
    Path file = dataDir.resolve("secret.key");
    try {
      dev.tugboat.protocol.SecretKey.readOrCreate(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return file;
  }

  SimulatedSo so() throws Exception {
    return SimulatedSo.connect("127.0.0.1", mqttPort, "dots-so");
  }

  /**
   * Collects what the SO receives for one simulation until {@code done} holds for the list, or
   * fails at the deadline. Messages of other simulations are skipped.
   */
  static List<SimulatedSo.Received> receiveUntil(SimulatedSo so, String simulationId,
      Predicate<List<SimulatedSo.Received>> done, Duration timeout) throws InterruptedException {
    List<SimulatedSo.Received> got = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(got)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out; received so far: " + got.stream().map(SimulatedSo.Received::describe).toList());
      }
      so.next(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())))
          .filter(r -> r.topic().format().contains("/" + simulationId + "/"))
          .ifPresent(got::add);
    }
    return got;
  }

  /** What the SO receives for one simulation within {@code window} (to see that nothing more comes). */
  static List<SimulatedSo.Received> receiveDuring(SimulatedSo so, String simulationId, Duration window)
      throws InterruptedException {
    List<SimulatedSo.Received> got = new ArrayList<>();
    long deadline = System.nanoTime() + window.toNanos();
    for (long left = window.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      so.next(Duration.ofNanos(left)).filter(r -> r.topic().format().contains("/" + simulationId + "/"))
          .ifPresent(got::add);
    }
    return got;
  }

  HttpResponse<String> get(TugboatNode node, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Authorization", "Bearer " + operatorToken)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The sum of a Prometheus series family on the node's {@code /metrics} (e.g.
   * {@code tugboat_mqtt_inbound_dropped_total}) over the series whose labels contain
   * {@code labelPart} ("" for all); 0 when there is none yet.
   */
  double metric(TugboatNode node, String name, String labelPart) throws Exception {
    double sum = 0;
    for (String line : get(node, "/metrics").body().lines().toList()) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        int split = line.lastIndexOf(' ');
        String series = line.substring(0, split);
        if (series.contains(labelPart)) {
          sum += Double.parseDouble(line.substring(split + 1));
        }
      }
    }
    return sum;
  }

  @Override
  public void close() throws Exception {
    kubernetes.close();
    stopBroker();
  }
}
