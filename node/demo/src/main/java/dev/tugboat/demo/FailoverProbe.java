package dev.tugboat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.demo.PodWatch.PodState;
import dev.tugboat.protocol.service.ServiceView.Phase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Measures how long the cluster takes to recover the entities of a killed node, from outside,
 * through the surviving nodes' HTTP API and Pekko Management, in passes on its own thread.
 *
 * <p>Recovered means all of: (1) every shard of the Service entity type that the killed node
 * hosted, and the Simulation's shard if it was there, is hosted by a surviving node (Management
 * {@code /cluster/shards/{type}} on both survivors); (2) every service of those shards has
 * answered a GET through the observing node with a phase at least as far along its pod's
 * lifecycle as the pod was at the API server just before the question (pod never created:
 * any phase or 404; Pending: CREATED; Running: RUNNING; Succeeded/Failed: TERMINATED; deleted:
 * DELETED; a FAILED or HELD service only while its pod does not exist); (3) the Simulation, if
 * its shard was on the killed node, has answered its GET. The recovery time is the kill to the
 * latest of these observations. Services are asked again each pass until they pass, so each
 * observation may come up to one pass (well under a second once few are left) after the fact.
 * Nothing is asked before the observer sees the killed node downed: until then no shard can move.
 * From then on (1) is looked at every 0.25 s on a thread of its own, and the services are asked in
 * passes: an ask for a service whose shard is not allocated yet waits in the shard region until
 * the service runs again.
 */
final class FailoverProbe implements AutoCloseable {
  /** One service of the killed node's shards. */
  record Target(String modelId, String podName) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  /**
   * GETs in flight at once. Each answer waits behind the deployment's own work in the nodes'
   * mailboxes, so more in flight means more answers a second; with few, one pass over the
   * thousands of services of a large failover takes most of a minute and the probe, not the
   * cluster, sets recovery_s (docs/benchmarks.md, bench-cluster).
   */
  private static final int CONCURRENCY = 256;

  private final BenchCluster.Node observer;
  private final List<BenchCluster.Node> survivors;
  private final String victimAddress;
  private final long killNanos;
  private final String simulationId;
  private final Set<String> victimServiceShards;
  private final String simulationShard;
  private final boolean simulationOnVictim;
  private final Map<String, Target> pending = new ConcurrentHashMap<>();
  private final int total;
  private final PodWatch pods;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-cluster-failover-probe");
    t.setDaemon(true);
    return t;
  });
  /** Looks at the shards on a thread of its own, so a long pass over the services never delays it. */
  private final ScheduledExecutorService shardWatch = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-cluster-shard-watch");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong lastServiceNanos = new AtomicLong(-1);
  private final CompletableFuture<Long> recovered = new CompletableFuture<>();
  private volatile long downedNanos = -1;
  private volatile long shardsHostedNanos = -1;
  private volatile long simulationNanos = -1;
  private volatile Map<String, Integer> lastPassOutcomes = Map.of();

  FailoverProbe(BenchCluster.Node observer, List<BenchCluster.Node> survivors, String victimAddress, long killNanos,
      String simulationId, Set<String> victimServiceShards, String simulationShard, boolean simulationOnVictim,
      List<Target> targets, PodWatch pods) {
    this.observer = observer;
    this.survivors = List.copyOf(survivors);
    this.victimAddress = victimAddress;
    this.killNanos = killNanos;
    this.simulationId = simulationId;
    this.victimServiceShards = Set.copyOf(victimServiceShards);
    this.simulationShard = simulationShard;
    this.simulationOnVictim = simulationOnVictim;
    targets.forEach(t -> pending.put(t.modelId(), t));
    this.total = targets.size();
    this.pods = pods;
  }

  void start() {
    shardWatch.scheduleWithFixedDelay(this::watchShards, 0, 250, TimeUnit.MILLISECONDS);
    executor.scheduleWithFixedDelay(this::pass, 0, 500, TimeUnit.MILLISECONDS);
  }

  /** Completes with the recovery time in nanoseconds once everything above was observed. */
  CompletableFuture<Long> recovered() {
    return recovered;
  }

  /** One line on where recovery stands, for the progress output. */
  String summary() {
    StringBuilder b = new StringBuilder();
    b.append("downed ").append(seconds(downedNanos));
    b.append(", shards hosted by survivors ").append(seconds(shardsHostedNanos));
    if (simulationOnVictim) {
      b.append(", simulation answering ").append(seconds(simulationNanos));
    }
    b.append(", services reconciled ").append(total - pending.size()).append('/').append(total);
    if (pending.isEmpty()) {
      b.append(' ').append(seconds(lastServiceNanos.get()));
    }
    Map<String, Integer> last = lastPassOutcomes;
    if (!pending.isEmpty() && !last.isEmpty()) {
      b.append(" (last pass: ").append(last.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue())
          .collect(Collectors.joining(", "))).append(')');
    }
    return b.toString();
  }

  private String seconds(long nanos) {
    return nanos < 0 ? "not yet" : String.format(Locale.ROOT, "after %.1f s", (nanos - killNanos) / 1e9);
  }

  /** Until the killed node's shards are hosted by survivors: is the node downed yet, are they hosted yet. */
  private void watchShards() {
    try {
      if (downedNanos < 0) {
        if (!victimDowned()) {
          return;
        }
        downedNanos = System.nanoTime();
      }
      if (survivorsHostVictimShards()) {
        shardsHostedNanos = System.nanoTime();
        shardWatch.shutdown();
      }
    } catch (RuntimeException e) {
      recovered.completeExceptionally(e);
      shardWatch.shutdown();
    }
  }

  private void pass() {
    try {
      if (recovered.isDone()) {
        return;
      }
      // Nothing can move before the node is downed. From then on the services are asked: an ask
      // for a service whose shard is not allocated yet waits in the region until it is, so its
      // answer comes as soon as the service runs again.
      if (downedNanos < 0) {
        return;
      }
      if (simulationOnVictim && simulationNanos < 0 && BenchCluster.getJson(observerUrl("/api/v1/simulations/"
          + simulationId), ASK_TIMEOUT).isPresent()) {
        simulationNanos = System.nanoTime();
      }
      askPendingServices();
      if (pending.isEmpty() && shardsHostedNanos >= 0 && (!simulationOnVictim || simulationNanos >= 0)) {
        long last = Math.max(lastServiceNanos.get(), Math.max(shardsHostedNanos, simulationNanos));
        recovered.complete(last - killNanos);
        executor.shutdown();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      recovered.completeExceptionally(e);
      executor.shutdown();
    }
  }

  /** The observer no longer lists the killed node as a member, or lists it Down. */
  private boolean victimDowned() {
    return observer.management("/cluster/members").map(m -> {
      for (JsonNode member : m.path("members")) {
        if (victimAddress.equals(member.path("node").asText())) {
          String status = member.path("status").asText();
          return status.equals("Down") || status.equals("Removed");
        }
      }
      return true;
    }).orElse(false);
  }

  private boolean survivorsHostVictimShards() {
    Set<String> services = new HashSet<>();
    Set<String> simulations = new HashSet<>();
    for (BenchCluster.Node n : survivors) {
      services.addAll(hostedShards(n, "Service"));
      simulations.addAll(hostedShards(n, "Simulation"));
    }
    return services.containsAll(victimServiceShards) && (!simulationOnVictim || simulations.contains(simulationShard));
  }

  /** Shard ids a node's region of this entity type hosts now (Management {@code /cluster/shards}). */
  static Set<String> hostedShards(BenchCluster.Node node, String entityType) {
    return node.management("/cluster/shards/" + entityType).map(j -> {
      Set<String> ids = new HashSet<>();
      for (JsonNode region : j.path("regions")) {
        ids.add(region.path("shardId").asText());
      }
      return ids;
    }).orElse(Set.of());
  }

  private void askPendingServices() throws InterruptedException {
    Semaphore permits = new Semaphore(CONCURRENCY);
    Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    List<CompletableFuture<Void>> asks = new ArrayList<>();
    for (Target t : List.copyOf(pending.values())) {
      permits.acquire();
      PodState before = pods.state(t.podName());
      HttpRequest request = HttpRequest.newBuilder(URI.create(observerUrl("/api/v1/simulations/" + simulationId
          + "/services/" + t.modelId()))).timeout(ASK_TIMEOUT).build();
      asks.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
        long at = System.nanoTime();
        permits.release();
        String problem = failure != null ? "no answer" : problem(before, response);
        if (problem == null) {
          pending.remove(t.modelId());
          lastServiceNanos.accumulateAndGet(at, Math::max);
        } else {
          outcomes.merge(problem, 1, Integer::sum);
        }
        return null;
      }));
    }
    CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).join();
    lastPassOutcomes = new TreeMap<>(outcomes);
  }

  /** Null when the answer shows the service caught up with its pod; else what is wrong. */
  private static String problem(PodState pod, HttpResponse<String> response) {
    if (response.statusCode() == 404) {
      return pod == PodState.NEVER_SEEN ? null : "unknown service, pod " + pod;
    }
    if (response.statusCode() != 200) {
      return "HTTP " + response.statusCode();
    }
    Phase phase;
    try {
      phase = Phase.valueOf(JSON.readTree(response.body()).path("phase").asText());
    } catch (IOException | IllegalArgumentException e) {
      return "unreadable answer";
    }
    return consistent(phase, pod) ? null : phase + " with pod " + pod;
  }

  /** Whether a service in this phase has caught up with a pod that was in this state before. */
  static boolean consistent(Phase phase, PodState pod) {
    return switch (phase) {
      case REQUESTED, QUEUED, CREATING -> pod == PodState.NEVER_SEEN;
      case FAILED, HELD -> pod == PodState.NEVER_SEEN || pod == PodState.DELETED;
      case CREATED -> pod.compareTo(PodState.PENDING) <= 0;
      case RUNNING -> pod.compareTo(PodState.RUNNING) <= 0;
      case TERMINATED -> pod.compareTo(PodState.ENDED) <= 0;
      case DELETED -> true;
    };
  }

  private String observerUrl(String path) {
    return "http://127.0.0.1:" + observer.process().httpPort + path;
  }

  @Override
  public void close() {
    shardWatch.shutdownNow();
    executor.shutdownNow();
  }
}
