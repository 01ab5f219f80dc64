package dev.tugboat.demo;

import dev.tugboat.k8s.sim.ApiServerCounters;
import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.node.TugboatNode;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.topics.Topic;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tugboat bench --models N}: one simulation of N fake models on the embedded stack.
 * Prints, last line: models, create_per_s (N / time from DeployModels sent to the last pod
 * created), ready_ms (DeployModels sent to ModelsReady received), all_terminated_ms,
 * detect_p50/p99_ms (container finishedAt, as the simulated kubelet wrote it, to its
 * ModelHasTerminated received by the SO), api_writes_per_model (Tugboat's create, delete, update and
 * status calls as the simulated API server counted them, retries included, over the models'
 * whole lives, divided by N) and heap_mb (used heap after a GC once all models are ready).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark one simulation of N fake models on the embedded stack.")
final class BenchCommand implements Callable<Integer> {
  private static final String SIMULATOR_ID = "bench";
  private static final String SIMULATION_ID = "bench-sim";
  private static final String WARMUP_ID = "warmup-sim";
  /** The bench gives up waiting for the pods' deletion once none has gone for this long. */
  private static final Duration DELETES_STALLED = Duration.ofSeconds(30);

  @Option(names = "--models", description = "Number of fake models (default: ${DEFAULT-VALUE}).")
  int models = 1000;

  @Option(names = "--warmup", description = "Models of an unmeasured simulation run first, so the JIT has "
      + "compiled the hot paths as in a long-running node (default: ${DEFAULT-VALUE}: none).")
  int warmup = 0;

  @Option(names = "--run-seconds", description = "How long each fake model runs after ReadyForProcessing (default: ${DEFAULT-VALUE}).")
  int runSeconds = 20;

  @Option(names = "--faults", description = "Inject faults while the measured simulation runs: 20%% of creates and "
      + "deletes answered 500, a burst of 20 answers 429 (Retry-After 1 s) every 5 s, and every watch dropped at a "
      + "third and at two thirds of the deployment.")
  boolean faults;

  @Option(names = "--quota", description = "A pod quota on the simulated API server (403 exceeded quota beyond it; "
      + "default: ${DEFAULT-VALUE}: none).")
  int quota = 0;

  @Option(names = "--data-dir", description = "Data directory, emptied first (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of("data", "bench");

  @Option(names = "--timeout-seconds", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 900;

  @Mixin
  EmbeddedPorts ports = new EmbeddedPorts();

  @Override
  public Integer call() throws Exception {
    // Before the node starts, so nothing else runs: the machine's speed to read this run's figures by.
    System.out.println("bench: " + MachineProbe.measure().describe("before"));
    try (EmbeddedMode.EmbeddedNode embedded = EmbeddedRun.start(dataDir, ports.mqtt, ports.http, runSeconds);
         SimulatedSo so = SimulatedSo.connect(embedded.mqttHost(), ports.mqtt, "dots-so")) {
      TugboatNode node = embedded.node();
      SimulatedKubernetes k8s = embedded.kubernetes();
      Map<String, Long> createdNanos = new ConcurrentHashMap<>();
      Map<String, Instant> finishedAt = new ConcurrentHashMap<>();
      // Observed in process: a watch through the API server would add a third of its watch load.
      observePods(k8s, createdNanos, finishedAt);

      if (warmup > 0) {
        System.out.println("bench: warm-up simulation of " + warmup + " fake models (not measured)");
        so.deploy(SIMULATOR_ID, WARMUP_ID, specs(node, WARMUP_ID, warmup), 0.0);
        long warmupDeadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        boolean warm = false;
        while (!warm && System.nanoTime() < warmupDeadline) {
          warm = so.next(Duration.ofSeconds(1)).filter(r -> r.topic() instanceof Topic.AllModelsHaveTerminated t
              && t.simulationId().equals(WARMUP_ID)).isPresent();
        }
        // Its pods are deleted right after (keep-logs 0), at the gateway's pace of deletes: wait for
        // that, so no warm-up work overlaps the measurement.
        if (!warm || !podsGone(k8s, DELETES_STALLED)) {
          System.err.println("bench: the warm-up simulation did not end within " + timeoutSeconds + " s");
          return 1;
        }
      }
      List<ModelSpec> specs = specs(node, SIMULATION_ID, models);
      System.out.println("bench: deploying " + models + " fake models (run time " + runSeconds + " s"
          + (faults ? ", with faults" : "") + (quota > 0 ? ", quota " + quota + " pods" : "") + ")");
      k8s.counters().reset();
      k8s.faults().maxPods(quota);
      ScheduledExecutorService faultClock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-faults");
        t.setDaemon(true);
        return t;
      });
      if (faults) {
        k8s.faults().errorRate(0.2);
        faultClock.scheduleAtFixedRate(() -> k8s.faults().inject429(20, 1), 0, 5, TimeUnit.SECONDS);
        int[] drops = {models / 3, 2 * models / 3};
        faultClock.scheduleAtFixedRate(new Runnable() {
          int next;

          @Override
          public void run() {
            if (next < drops.length && createdNanos.size() - warmup >= drops[next]) {
              next++;
              System.out.printf("bench: dropping every watch (%d closed)%n", k8s.faults().dropWatches());
            }
          }
        }, 50, 50, TimeUnit.MILLISECONDS);
      }
      long[] gcBefore = gcCountAndMillis();
      long[] cpuBefore = cpuAndJitMillis();
      long[] heapGc = new long[2]; // the collection that measures heap_mb, not counted as the run's
      long t0 = System.nanoTime();
      so.deploy(SIMULATOR_ID, SIMULATION_ID, specs, 0.0);

      long readyNanos = -1;
      long allNanos = -1;
      double heapMb = -1;
      List<Long> detectMs = new ArrayList<>(models);
      long deadline = t0 + Duration.ofSeconds(timeoutSeconds).toNanos();
      while (System.nanoTime() < deadline && allNanos < 0) {
        Optional<SimulatedSo.Received> next = so.next(Duration.ofSeconds(1));
        if (next.isEmpty()) {
          continue;
        }
        SimulatedSo.Received r = next.get();
        if (!r.topic().format().contains("/" + SIMULATION_ID + "/")) {
          continue;
        }
        if (r.topic() instanceof Topic.ModelsReady) {
          readyNanos = r.arrivedNanos();
          System.out.printf("bench: ModelsReady after %d ms; %d pods created%n", (readyNanos - t0) / 1_000_000,
              createdNanos.size());
          long[] before = gcCountAndMillis();
          heapMb = usedHeapAfterGcMb();
          long[] after = gcCountAndMillis();
          heapGc[0] += after[0] - before[0];
          heapGc[1] += after[1] - before[1];
        } else if (r.topic() instanceof Topic.ModelHasTerminated t) {
          long arrivedWall = Instant.now().toEpochMilli() - (System.nanoTime() - r.arrivedNanos()) / 1_000_000;
          Instant finished = finishedAt.get(PodNames.podName(SIMULATOR_ID, SIMULATION_ID, t.modelId()));
          if (finished != null) {
            detectMs.add(arrivedWall - finished.toEpochMilli());
          }
        } else if (r.topic() instanceof Topic.AllModelsHaveTerminated) {
          allNanos = r.arrivedNanos();
        }
      }
      long[] gcAfter = gcCountAndMillis();
      long[] cpuAfter = cpuAndJitMillis();
      faultClock.shutdownNow();
      k8s.faults().clear();
      if (allNanos < 0) {
        System.err.println("bench: timed out after " + timeoutSeconds + " s");
        return 1;
      }
      // Every pod of the run is deleted after its end (keep-logs 0) at the gateway's pace of deletes
      // (tugboat.kubernetes.deletes.qps): count its deletes too.
      podsGone(k8s, DELETES_STALLED);
      ApiServerCounters c = k8s.counters();
      int writes = c.requests(ApiServerCounters.Kind.CREATE) + c.requests(ApiServerCounters.Kind.DELETE)
          + c.requests(ApiServerCounters.Kind.UPDATE) + c.requests(ApiServerCounters.Kind.STATUS);
      int duplicatePods = (int) c.createsByPod().values().stream().filter(n -> n > 1).count();
      System.out.printf("bench: %d API writes by Tugboat (%d creates, %d deletes, %d updates), %d injected 500s, "
              + "%d injected 429s, %d quota refusals, %d pods created twice, %d pods left%n",
          writes, c.requests(ApiServerCounters.Kind.CREATE), c.requests(ApiServerCounters.Kind.DELETE),
          c.requests(ApiServerCounters.Kind.UPDATE) + c.requests(ApiServerCounters.Kind.STATUS),
          c.injectedFaults(500), c.injectedFaults(429), c.injectedFaults(403), duplicatePods, k8s.storedPods());
      String measuredPrefix = PodNames.podName(SIMULATOR_ID, SIMULATION_ID, "m0").replaceFirst("m0$", "");
      long[] measuredCreates = createdNanos.entrySet().stream().filter(e -> e.getKey().startsWith(measuredPrefix))
          .mapToLong(Map.Entry::getValue).toArray();
      long lastCreated = java.util.Arrays.stream(measuredCreates).max().orElse(t0);
      long[] createdMs = java.util.Arrays.stream(measuredCreates).map(n -> (n - t0) / 1_000_000).sorted().toArray();
      System.out.printf("bench: pods created after (ms) p10=%d p50=%d p90=%d p99=%d last=%d%n", percentile(createdMs, 10),
          percentile(createdMs, 50), percentile(createdMs, 90), percentile(createdMs, 99), percentile(createdMs, 100));
      double createPerS = measuredCreates.length / ((lastCreated - t0) / 1e9);
      long[] detect = detectMs.stream().mapToLong(Long::longValue).sorted().toArray();
      System.out.printf("bench: %d terminations measured of %d models; %d garbage collections took %d ms meanwhile%n",
          detect.length, models, gcAfter[0] - gcBefore[0] - heapGc[0], gcAfter[1] - gcBefore[1] - heapGc[1]);
      long cpuMs = cpuAfter[0] - cpuBefore[0];
      if (cpuBefore[1] < 0 || cpuAfter[1] < 0) {
        System.out.printf(Locale.ROOT, "bench: CPU of the whole process during the measured simulation %.1f s "
            + "(the JIT's share is not readable here); cpu_ms_per_model=%.2f%n", cpuMs / 1e3, cpuMs / (double) models);
      } else {
        long jitMs = cpuAfter[1] - cpuBefore[1];
        System.out.printf(Locale.ROOT, "bench: CPU of the whole process during the measured simulation %.1f s, of "
                + "which the JIT compiler threads %.1f s; cpu_ms_per_model=%.2f (without the JIT %.2f)%n",
            cpuMs / 1e3, jitMs / 1e3, cpuMs / (double) models, (cpuMs - jitMs) / (double) models);
      }
      System.out.println("bench: " + MachineProbe.measure().describe("after"));
      System.out.printf("models=%d create_per_s=%.0f ready_ms=%d all_terminated_ms=%d detect_p50_ms=%d "
              + "detect_p99_ms=%d api_writes_per_model=%.2f heap_mb=%.0f%n",
          models, createPerS, readyNanos < 0 ? -1 : (readyNanos - t0) / 1_000_000, (allNanos - t0) / 1_000_000,
          percentile(detect, 50), percentile(detect, 99), writes / (double) models, heapMb);
      return 0;
    }
  }

  private List<ModelSpec> specs(TugboatNode node, String simulationId, int count) {
    return FakeModels.specs(node.bridge().settings().host(), ports.mqtt, SIMULATOR_ID, simulationId, count);
  }

  /**
   * Records, in process, when each pod was stored ({@code createdNanos}, by pod name) and when its
   * container finished ({@code finishedAt}).
   */
  static void observePods(SimulatedKubernetes k8s, Map<String, Long> createdNanos, Map<String, Instant> finishedAt) {
    k8s.observePods((type, pod) -> {
      if (type.equals("ADDED")) {
        createdNanos.putIfAbsent(pod.getMetadata().getName(), System.nanoTime());
      }
      if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
        return;
      }
      for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
        if (cs.getState() != null && cs.getState().getTerminated() != null
            && cs.getState().getTerminated().getFinishedAt() != null) {
          finishedAt.putIfAbsent(pod.getMetadata().getName(), Instant.parse(cs.getState().getTerminated().getFinishedAt()));
        }
      }
    });
  }

  /**
   * Waits until the simulated API server holds no pod, for as long as their number keeps falling:
   * paced deletes of 10,000 pods take longer than any fixed wait that would suit 100.
   */
  static boolean podsGone(SimulatedKubernetes k8s, Duration stalled) throws InterruptedException {
    int left = k8s.storedPods();
    long lastProgress = System.nanoTime();
    while (left > 0 && System.nanoTime() - lastProgress < stalled.toNanos()) {
      Thread.sleep(50);
      int now = k8s.storedPods();
      if (now < left) {
        lastProgress = System.nanoTime();
      }
      left = now;
    }
    return left == 0;
  }

  /** The p-th percentile (nearest rank) of sorted values; -1 when there are none. */
  static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return -1;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** Collections and their accumulated time (ms) over every collector of this JVM so far. */
  private static long[] gcCountAndMillis() {
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  /**
   * The process's CPU time so far (every thread: the node, the broker, the simulated Kubernetes,
   * the fake models, the JIT and GC threads) and that of the JIT compiler threads, in ms. The JIT
   * threads are not Java threads, so they are read from Linux's /proc (clock ticks); -1 where
   * that is not there.
   */
  private static long[] cpuAndJitMillis() {
    long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() / 1_000_000 : -1;
    long jitTicks = 0;
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
            continue;
          }
          String stat = Files.readString(task.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          jitTicks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      return new long[] {cpu, -1};
    }
    return new long[] {cpu, jitTicks * 10}; // USER_HZ is 100 on Linux
  }

  private static double usedHeapAfterGcMb() {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    return (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
  }

}
