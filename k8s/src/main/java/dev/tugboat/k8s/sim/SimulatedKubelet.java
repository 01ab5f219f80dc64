package dev.tugboat.k8s.sim;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated kubelet: watches the pods of its namespace through the API server, and for each
 * new pod writes its status as a real kubelet would (Pending with ContainerCreating, after the
 * pending delay Running, at the end the container's terminated state and phase Succeeded or
 * Failed). It runs the {@link FakeModel} for images named fake_model*, and a container that exits
 * 0 after the run time for any other image; it records their log lines. Deleting a pod kills its
 * container. All waiting is on timers of one shared scheduler; status writes of one pod are
 * chained so they land in order.
 */
public final class SimulatedKubelet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedKubelet.class);
  private static final int STATUS_WRITE_ATTEMPTS = 5;

  /** One admitted pod and its container. */
  private static final class PodRun {
    final String name;
    final String uid;
    volatile boolean deleted;
    volatile ScheduledFuture<?> timer;
    volatile FakeModel model;
    CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);
    volatile Instant startedAt;

    PodRun(String name, String uid) {
      this.name = name;
      this.uid = uid;
    }
  }

  private final KubernetesClient client;
  private final SimulatedKubernetesSettings settings;
  private final ModelLogs logs;
  private final MqttConnections mqtt = new MqttConnections();
  private final Map<String, PodRun> runs = new ConcurrentHashMap<>();
  private final ExecutorService events = Executors.newSingleThreadExecutor(daemon("tugboat-sim-kubelet-events"));
  private final ExecutorService statusWriters = Executors.newFixedThreadPool(4, daemon("tugboat-sim-kubelet-api"));
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, daemon("tugboat-sim-models"));
  private final AtomicInteger podIps = new AtomicInteger();
  private SharedIndexInformer<Pod> informer;

  SimulatedKubelet(KubernetesClient client, SimulatedKubernetesSettings settings, ModelLogs logs) {
    this.client = client;
    this.settings = settings;
    this.logs = logs;
  }

  /** Starts watching; returns once the initial list is in (a start-up step, not for actors). */
  void start() {
    informer = client.pods().inNamespace(settings.namespace()).runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        events.execute(() -> admit(pod));
      }

      @Override
      public void onUpdate(Pod oldPod, Pod newPod) {
        // Status changes are the kubelet's own writes; nothing to react to.
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        events.execute(() -> evict(pod));
      }
    });
    try {
      informer.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the simulated kubelet could not watch the simulated API server", e);
    }
  }

  /** How many pods have a container running (or about to). */
  public int runningContainers() {
    return runs.size();
  }

  private void admit(Pod pod) {
    String name = pod.getMetadata().getName();
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase) || pod.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    PodRun run = new PodRun(name, pod.getMetadata().getUid());
    if (runs.putIfAbsent(name, run) != null) {
      return;
    }
    Container container = modelContainer(pod);
    write(run, status -> {
      status.setPhase("Pending");
      status.setStartTime(now());
      status.setContainerStatuses(List.of(containerStatus(container, false,
          new ContainerStateBuilder().withNewWaiting().withReason("ContainerCreating").endWaiting().build())));
    });
    run.timer = scheduler.schedule(() -> startContainer(run, container),
        settings.pendingDelay().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void startContainer(PodRun run, Container container) {
    if (run.deleted) {
      return;
    }
    run.startedAt = Instant.now();
    String ip = "10.244." + (podIps.incrementAndGet() / 250 % 250) + "." + (podIps.get() % 250 + 2);
    write(run, status -> {
      status.setPhase("Running");
      status.setPodIP(ip);
      status.setHostIP("10.0.0.1");
      status.setContainerStatuses(List.of(containerStatus(container, true,
          new ContainerStateBuilder().withNewRunning().withStartedAt(run.startedAt.toString()).endRunning().build())));
    });
    logs.open(run.name);
    Consumer<String> log = line -> logs.append(run.name, line);
    Map<String, String> env = new LinkedHashMap<>();
    if (container.getEnv() != null) {
      container.getEnv().forEach(e -> env.put(e.getName(), e.getValue() == null ? "" : e.getValue()));
    }
    if (FakeModel.isFakeModelImage(container.getImage())) {
      FakeModel model = new FakeModel(env, settings.modelRunTime(), scheduler, mqtt, log, code -> exited(run, container, code));
      run.model = model;
      model.start();
    } else {
      log.accept("Started " + container.getImage() + " (simulated: exits 0 after its run time)");
      Duration runTime = settings.modelRunTime();
      String override = env.get("FAKE_MODEL_RUN_SECONDS");
      if (override != null) {
        try {
          runTime = Duration.ofMillis((long) (Double.parseDouble(override.trim()) * 1000));
        } catch (NumberFormatException e) {
          log.accept("ignoring FAKE_MODEL_RUN_SECONDS '" + override + "': not a number");
        }
      }
      run.timer = scheduler.schedule(() -> exited(run, container, 0), runTime.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void exited(PodRun run, Container container, int exitCode) {
    if (run.deleted) {
      return;
    }
    logs.append(run.name, "Container exited with code " + exitCode);
    Instant started = run.startedAt;
    String finishedAt = now();
    write(run, status -> {
      status.setPhase(exitCode == 0 ? "Succeeded" : "Failed");
      status.setContainerStatuses(List.of(containerStatus(container, false,
          new ContainerStateBuilder().withNewTerminated()
              .withExitCode(exitCode)
              .withReason(exitCode == 0 ? "Completed" : "Error")
              .withStartedAt(started == null ? finishedAt : started.truncatedTo(ChronoUnit.SECONDS).toString())
              .withFinishedAt(finishedAt)
              .endTerminated().build())));
    });
  }

  private void evict(Pod pod) {
    String name = pod.getMetadata().getName();
    PodRun run = runs.get(name);
    if (run == null || !Objects.equals(run.uid, pod.getMetadata().getUid())) {
      return;
    }
    runs.remove(name, run);
    run.deleted = true;
    ScheduledFuture<?> t = run.timer;
    if (t != null) {
      t.cancel(false);
    }
    FakeModel m = run.model;
    if (m != null) {
      m.stop();
    }
    logs.remove(name);
  }

  /** Chains a status write after the pod's earlier ones. */
  private void write(PodRun run, Consumer<PodStatus> change) {
    synchronized (run) {
      run.writes = run.writes.thenRunAsync(() -> {
        if (!run.deleted) {
          writeNow(run, change);
        }
      }, statusWriters).exceptionally(e -> {
        LOG.warn("status write of pod {} failed: {}", run.name, e.toString());
        return null;
      });
    }
  }

  private void writeNow(PodRun run, Consumer<PodStatus> change) {
    for (int attempt = 1; attempt <= STATUS_WRITE_ATTEMPTS; attempt++) {
      Pod current = client.pods().inNamespace(settings.namespace()).withName(run.name).get();
      if (current == null || !Objects.equals(current.getMetadata().getUid(), run.uid)) {
        return;
      }
      PodStatus status = current.getStatus() == null ? new PodStatus() : current.getStatus();
      change.accept(status);
      current.setStatus(status);
      try {
        client.pods().inNamespace(settings.namespace()).resource(current).updateStatus();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return;
        }
        if (e.getCode() != 409 || attempt == STATUS_WRITE_ATTEMPTS) {
          LOG.warn("status write of pod {} failed (attempt {}): {}", run.name, attempt, e.getMessage());
          return;
        }
      }
    }
  }

  private static Container modelContainer(Pod pod) {
    List<Container> containers = pod.getSpec().getContainers();
    return containers.stream().filter(c -> "model".equals(c.getName())).findFirst().orElse(containers.get(0));
  }

  private static ContainerStatus containerStatus(Container c, boolean ready,
                                                 io.fabric8.kubernetes.api.model.ContainerState state) {
    return new ContainerStatusBuilder()
        .withName(c.getName())
        .withImage(c.getImage())
        .withImageID("simulated://" + c.getImage())
        .withReady(ready)
        .withStarted(ready)
        .withRestartCount(0)
        .withState(state)
        .build();
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.stop();
    }
    runs.values().forEach(r -> {
      r.deleted = true;
      FakeModel m = r.model;
      if (m != null) {
        m.stop();
      }
    });
    runs.clear();
    events.shutdownNow();
    scheduler.shutdownNow();
    statusWriters.shutdownNow();
    mqtt.close();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
