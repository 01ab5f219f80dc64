package dev.tugboat.k8s.sim;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated kubelet: follows the pods of the simulated API server's store, and for each
 * new pod writes its status as a real kubelet would (Pending with ContainerCreating, after the
 * pending delay Running, at the end the container's terminated state and phase Succeeded or
 * Failed). It runs the {@link FakeModel} for images named fake_model*, a container that exits
 * 0 after the run time for busybox, and for any other image leaves the container waiting with
 * ErrImagePull / ImagePullBackOff ({@link SimulatedImages}); it records the containers' log lines. Deleting a pod kills its
 * container. All waiting is on timers of one shared scheduler (no thread per pod); a status write
 * is one in-memory store update. Environment variables from a Secret ({@code secretKeyRef}) are
 * read through the API server when the container starts; while the Secret (or its key) is
 * missing the container waits in CreateContainerConfigError, as a real kubelet's does, and
 * starts once it is there.
 */
public final class SimulatedKubelet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedKubelet.class);

  /** One admitted pod and its container. */
  private static final class PodRun {
    final String name;
    final String uid;
    volatile boolean deleted;
    volatile ScheduledFuture<?> timer;
    volatile FakeModel model;
    volatile EchoService echo;
    volatile Instant startedAt;

    PodRun(String name, String uid) {
      this.name = name;
      this.uid = uid;
    }
  }

  /** A kubelet's image pull back-off: 10 s after the first failure, doubling up to 5 minutes. */
  private static final Duration FIRST_PULL_BACK_OFF = Duration.ofSeconds(10);
  private static final Duration MAX_PULL_BACK_OFF = Duration.ofMinutes(5);

  private final PodStore store;
  private final SimulatedKubernetesSettings settings;
  private final ModelLogs logs;
  private final Faults faults;
  private final MqttConnections mqtt = new MqttConnections();
  private final Map<String, PodRun> runs = new ConcurrentHashMap<>();
  private final ExecutorService events = Executors.newSingleThreadExecutor(daemon("tugboat-sim-kubelet-events"));
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, daemon("tugboat-sim-models"));
  private final AtomicInteger podIps = new AtomicInteger();
  private final AtomicInteger serviceIps = new AtomicInteger();
  /** The echo servers' actor system, made when the first one starts. */
  private ActorSystem<Void> services;
  /** Reads the Secrets that containers' environment refers to. */
  private final KubernetesClient client;

  SimulatedKubelet(PodStore store, SimulatedKubernetesSettings settings, ModelLogs logs, Faults faults,
      KubernetesClient client) {
    this.client = client;
    this.store = store;
    this.settings = settings;
    this.logs = logs;
    this.faults = faults;
  }

  /**
   * Starts following the pods. The kubelet sits in process next to the store and observes its
   * changes directly (a real kubelet watches through the API server; here that would only cost
   * the CPU the gateway's calls need), and it writes pod status straight into the store.
   */
  void start() {
    store.addListener(e -> {
      if (e.type().equals("ADDED")) {
        events.execute(() -> admit(e.pod()));
      } else if (e.type().equals("DELETED")) {
        events.execute(() -> evict(e.pod()));
      }
    });
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
    if (faults.isStuckPending(name)) {
      return;
    }
    run.timer = scheduler.schedule(() -> startContainer(run, container),
        settings.pendingDelay().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The pod's node is lost: the container stops, the pod goes to phase Unknown, reason NodeLost. */
  boolean nodeLost(String name) {
    PodRun run = runs.remove(name);
    if (run == null) {
      return false;
    }
    stop(run);
    return store.updateStatus(settings.namespace(), name, run.uid, status -> {
      status.setPhase("Unknown");
      status.setReason("NodeLost");
      status.setMessage("Node simulated-node which was running pod " + name + " is unresponsive");
      return status;
    });
  }

  private void stop(PodRun run) {
    run.deleted = true;
    ScheduledFuture<?> t = run.timer;
    if (t != null) {
      t.cancel(false);
    }
    FakeModel m = run.model;
    if (m != null) {
      m.stop();
    }
    stopEcho(run);
  }

  private static void stopEcho(PodRun run) {
    EchoService e = run.echo;
    if (e != null) {
      run.echo = null;
      e.stop();
    }
  }

  private synchronized ActorSystem<Void> services() {
    if (services == null) {
      services = EchoService.newSystem();
    }
    return services;
  }

  /**
   * A service pod's container: its echo server on a loopback address of its own (Linux routes
   * all of 127/8 to the loopback device), reported as the pod IP; the container is ready once
   * every port is bound.
   */
  private void startEchoService(PodRun run, Container container) {
    int n = serviceIps.incrementAndGet();
    String ip = "127.77." + (n / 250 % 250) + "." + (n % 250 + 2);
    List<Integer> ports = container.getPorts() == null ? List.of()
        : container.getPorts().stream().map(p -> p.getContainerPort()).toList();
    run.startedAt = Instant.now();
    write(run, status -> {
      status.setPhase("Running");
      status.setPodIP(ip);
      status.setHostIP("10.0.0.1");
      status.setContainerStatuses(List.of(containerStatus(container, false,
          new ContainerStateBuilder().withNewRunning().withStartedAt(run.startedAt.toString()).endRunning().build())));
    });
    logs.open(run.name);
    EchoService.start(services(), run.name, ip, ports, code -> exited(run, container, code))
        .whenComplete((echo, failure) -> {
          if (failure != null) {
            logs.append(run.name, "cannot listen on " + ip + " " + ports + ": " + failure);
            exited(run, container, 1);
            return;
          }
          run.echo = echo;
          if (run.deleted) {
            stopEcho(run);
            return;
          }
          logs.append(run.name, "Listening on " + ip + " ports " + ports);
          write(run, status -> status.setContainerStatuses(List.of(containerStatus(container, true,
              new ContainerStateBuilder().withNewRunning().withStartedAt(run.startedAt.toString()).endRunning()
                  .build()))));
        });
  }

  private void startContainer(PodRun run, Container container) {
    if (run.deleted) {
      return;
    }
    if (SimulatedImages.of(container.getImage()) == SimulatedImages.NOT_PULLABLE) {
      pullFailed(run, container, FIRST_PULL_BACK_OFF);
      return;
    }
    Map<String, String> env = new LinkedHashMap<>();
    Optional<String> missing = resolveEnv(container, env);
    if (missing.isPresent()) {
      write(run, status -> status.setContainerStatuses(List.of(containerStatus(container, false,
          new ContainerStateBuilder().withNewWaiting().withReason("CreateContainerConfigError")
              .withMessage(missing.get()).endWaiting().build()))));
      run.timer = scheduler.schedule(() -> startContainer(run, container),
          Math.max(50, settings.pendingDelay().toMillis()), TimeUnit.MILLISECONDS);
      return;
    }
    if (SimulatedImages.of(container.getImage()) == SimulatedImages.ECHO_SERVICE) {
      startEchoService(run, container);
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
    if (SimulatedImages.of(container.getImage()) == SimulatedImages.FAKE_MODEL) {
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

  /**
   * The image cannot be pulled: the container waits with reason ErrImagePull, a moment later
   * ImagePullBackOff, and after {@code backOff} the pull fails again, with the back-off doubled up
   * to {@link #MAX_PULL_BACK_OFF}, as a kubelet's does. The pod stays Pending until it is deleted.
   */
  private void pullFailed(PodRun run, Container container, Duration backOff) {
    if (run.deleted) {
      return;
    }
    String image = container.getImage();
    write(run, status -> status.setContainerStatuses(List.of(containerStatus(container, false,
        new ContainerStateBuilder().withNewWaiting().withReason("ErrImagePull")
            .withMessage("Failed to pull image \"" + image + "\": the simulated Kubernetes pulls only fake_model*"
                + " and busybox images")
            .endWaiting().build()))));
    run.timer = scheduler.schedule(() -> {
      write(run, status -> status.setContainerStatuses(List.of(containerStatus(container, false,
          new ContainerStateBuilder().withNewWaiting().withReason("ImagePullBackOff")
              .withMessage("Back-off pulling image \"" + image + "\"").endWaiting().build()))));
      Duration next = backOff.multipliedBy(2).compareTo(MAX_PULL_BACK_OFF) > 0 ? MAX_PULL_BACK_OFF
          : backOff.multipliedBy(2);
      run.timer = scheduler.schedule(() -> pullFailed(run, container, next), backOff.toMillis(),
          TimeUnit.MILLISECONDS);
    }, Math.max(50, settings.pendingDelay().toMillis()), TimeUnit.MILLISECONDS);
  }

  /**
   * The container's environment into {@code env}: values as they are, secretKeyRefs read from
   * their Secrets. The reason the container cannot start yet when a Secret or key is missing.
   */
  private Optional<String> resolveEnv(Container container, Map<String, String> env) {
    if (container.getEnv() == null) {
      return Optional.empty();
    }
    Map<String, Secret> secrets = new java.util.HashMap<>();
    for (var e : container.getEnv()) {
      var ref = e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
      if (ref == null) {
        env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
        continue;
      }
      Secret secret = secrets.computeIfAbsent(ref.getName(),
          n -> client.secrets().inNamespace(settings.namespace()).withName(n).get());
      if (secret == null) {
        return Optional.of("secret \"" + ref.getName() + "\" not found");
      }
      String encoded = secret.getData() == null ? null : secret.getData().get(ref.getKey());
      if (encoded == null) {
        return Optional.of("couldn't find key " + ref.getKey() + " in Secret " + settings.namespace() + "/"
            + ref.getName());
      }
      env.put(e.getName(), new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
    }
    return Optional.empty();
  }

  private void exited(PodRun run, Container container, int exitCode) {
    if (run.deleted) {
      return;
    }
    stopEcho(run);
    logs.append(run.name, "Container exited with code " + exitCode);
    Instant started = run.startedAt;
    // Milliseconds, not the API's usual seconds: the benchmark measures detection latency from it.
    String finishedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    write(run, status -> {
      status.setPhase(exitCode == 0 ? "Succeeded" : "Failed");
      status.setContainerStatuses(List.of(containerStatus(container, false,
          new ContainerStateBuilder().withNewTerminated()
              .withExitCode(exitCode)
              .withReason(exitCode == 0 ? "Completed" : "Error")
              .withStartedAt(started == null ? finishedAt : started.truncatedTo(ChronoUnit.MILLIS).toString())
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
    stop(run);
    logs.remove(name);
  }

  /** Writes the pod's status into the store (unless the pod is gone or was replaced). */
  private void write(PodRun run, Consumer<PodStatus> change) {
    if (run.deleted) {
      return;
    }
    try {
      store.updateStatus(settings.namespace(), run.name, run.uid, status -> {
        change.accept(status);
        return status;
      });
    } catch (RuntimeException e) {
      LOG.warn("status write of pod {} failed: {}", run.name, e.toString());
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
    runs.values().forEach(r -> {
      r.deleted = true;
      FakeModel m = r.model;
      if (m != null) {
        m.stop();
      }
      stopEcho(r);
    });
    runs.clear();
    synchronized (this) {
      if (services != null) {
        services.terminate();
      }
    }
    events.shutdownNow();
    scheduler.shutdownNow();
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
