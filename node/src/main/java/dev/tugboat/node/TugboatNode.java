package dev.tugboat.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.http.EventStreamSettings;
import dev.tugboat.http.HostedServices;
import dev.tugboat.http.HttpServer;
import dev.tugboat.http.ServiceUrlSettings;
import dev.tugboat.persistence.HostedServiceEntity;
import dev.tugboat.persistence.HostedSettings;
import dev.tugboat.http.auth.Access;
import dev.tugboat.http.HttpSettings;
import dev.tugboat.http.KnownIds;
import dev.tugboat.http.Readiness;
import dev.tugboat.k8s.KubernetesClients;
import dev.tugboat.k8s.KubernetesGateway;
import dev.tugboat.k8s.KubernetesSettings;
import dev.tugboat.k8s.KubernetesWarmUp;
import dev.tugboat.k8s.PodInformerStatus;
import dev.tugboat.mqtt.MqttBridge;
import dev.tugboat.mqtt.MqttSettings;
import dev.tugboat.persistence.EntitySettings;
import dev.tugboat.persistence.EventFeedSettings;
import dev.tugboat.persistence.FixedSettings;
import dev.tugboat.persistence.JournalConfig;
import dev.tugboat.persistence.JournalIds;
import dev.tugboat.persistence.JournalQueries;
import dev.tugboat.persistence.JournalSchema;
import dev.tugboat.persistence.JournalWarmUp;
import dev.tugboat.persistence.LifecycleEventFeed;
import dev.tugboat.persistence.NotificationProjection;
import dev.tugboat.persistence.NotificationSettings;
import dev.tugboat.persistence.RetentionSweeper;
import dev.tugboat.persistence.ServiceHistories;
import dev.tugboat.persistence.SimulationSummaryProjection;
import dev.tugboat.persistence.SimulationSummarySettings;
import dev.tugboat.persistence.ServiceEntity;
import dev.tugboat.persistence.SimulationEntity;
import dev.tugboat.persistence.SimulationWiring;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.SecretSettings;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Tugboat node: the actor system with its cluster membership, the two sharded
 * entity types, the notification projection, the Kubernetes gateway, the MQTT bridge and the HTTP
 * frontend, then whatever its starter handed it to stop afterwards (the embedded mode's broker and
 * simulated Kubernetes, which tugboat-demo starts). {@link #close()} stops them in reverse, within
 * the drain time ({@link DrainTime}).
 */
public final class TugboatNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TugboatNode.class);

  private final ActorSystem<Void> system;
  private final NodeSettings settings;
  private final MqttBridge bridge;
  private final NodeReadiness readiness;
  private final ServerBinding binding;
  private final NodeStop stop;
  private final DrainTime drain;

  private TugboatNode(ActorSystem<Void> system, NodeSettings settings, MqttBridge bridge, NodeReadiness readiness,
      ServerBinding binding, NodeStop stop, DrainTime drain) {
    this.system = system;
    this.settings = settings;
    this.bridge = bridge;
    this.readiness = readiness;
    this.binding = binding;
    this.stop = stop;
    this.drain = drain;
  }

  /**
   * The configuration a node runs with: the overrides over application.conf (system properties
   * and environment variables win, as usual) and the journal database chosen. Resolved only once
   * everything is layered, so overrides such as {@code tugboat.data-dir} reach every setting
   * derived from them. Warns of each Tugboat-like environment variable it does not read
   * ({@link EnvironmentVariables}).
   */
  public static Config loadConfig(Config overrides) {
    EnvironmentVariables.warnOfUnread(System.getenv(), log);
    Config application = overrides.withFallback(ConfigFactory.defaultApplication());
    NodeSettings s = NodeSettings.fromConfig(ConfigFactory.load(application));
    // H2 refuses a path implicitly relative to the working directory: make data-dir absolute.
    Map<String, Object> derived = new HashMap<>();
    derived.put("tugboat.data-dir", s.dataDir().toAbsolutePath().normalize().toString());
    Config loaded = ConfigFactory.load(application);
    int remotePort = loaded.getInt("pekko.remote.artery.canonical.port");
    if (loaded.getString("tugboat.mqtt.client-id").isBlank() && remotePort != 0) {
      // Distinct per node even when several nodes share a host; stable across restarts.
      derived.put("tugboat.mqtt.client-id", "tugboat-" + hostName() + "-" + remotePort);
    }
    application = ConfigFactory.parseMap(derived).withFallback(overrides)
        .withFallback(ConfigFactory.defaultApplication());
    return JournalConfig.withDatabase(ConfigFactory.load(application));
  }

  private static String hostName() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  /**
   * Starts a node whose every part comes from its settings; blocks until it serves HTTP (or
   * throws with the reason it cannot). Refuses ({@link StartRefused}) the embedded mode and the
   * simulated Kubernetes, which only tugboat-demo.jar carries.
   */
  public static TugboatNode start(Config config) throws Exception {
    if (NodeSettings.fromConfig(config).embedded()) {
      throw new StartRefused("tugboat.mode (TUGBOAT_MODE) is embedded, which this jar does not carry: unset it,"
          + " or run the embedded mode with `java -jar tugboat-demo.jar run --embedded`");
    }
    if (KubernetesSettings.fromConfig(config).mode() == KubernetesSettings.Mode.SIMULATED) {
      throw new StartRefused("tugboat.kubernetes.mode (KUBERNETES_MODE) is simulated, which this jar does not carry:"
          + " choose dots-env, kubeconfig or in-cluster, or run `java -jar tugboat-demo.jar run --embedded`");
    }
    return start(config, Optional.empty(), List.of());
  }

  /**
   * Starts a node that uses a Kubernetes client owned by the caller (a simulated Kubernetes
   * shared by several nodes, or one that must outlive a node restart) instead of making its own.
   */
  public static TugboatNode start(Config config, Optional<KubernetesClient> externalClient) throws Exception {
    return start(config, externalClient, List.of());
  }

  /**
   * Starts a node on the caller's Kubernetes client, if given, that stops {@code companions}
   * (last first) after itself, and also when its start fails: what the caller started for this
   * node alone, such as the embedded mode's broker and simulated Kubernetes. The whole stop is
   * bounded by the drain time ({@link DrainTime}).
   */
  public static TugboatNode start(Config config, Optional<KubernetesClient> externalClient,
      List<? extends AutoCloseable> companions) throws Exception {
    NodeStop stop = new NodeStop();
    for (AutoCloseable companion : companions) {
      stop.add(companion.getClass().getSimpleName(), companion);
    }
    NodeSettings settings;
    Sealer sealer;
    Access access;
    DrainTime drain = DrainTime.DEFAULT;
    try {
      drain = DrainTime.fromConfig(config);
      settings = NodeSettings.fromConfig(config);
      // Before anything writes there; again once the journal's files exist (made with the umask).
      NodeSecrets.restrictDataDir(settings);
      sealer = NodeSecrets.sealer(settings, SecretSettings.fromConfig(config));
      access = NodeAccess.of(config, settings, sealer);
    } catch (RuntimeException e) {
      stop.run(drain.time());
      throw e;
    }
    try {
      KubernetesSettings k8sSettings = KubernetesSettings.fromConfig(config);
      KubernetesClient client;
      if (externalClient.isPresent()) {
        client = externalClient.get();
      } else {
        client = KubernetesClients.create(k8sSettings);
        stop.add("kubernetes-client", client);
      }
      WarmUpSettings warmUp = WarmUpSettings.fromConfig(config);
      // On a thread of its own, beside the actor system's start: the client's (de)serialization
      // code, so the gateway's first calls do not load it. The API calls of the warm-up are the
      // gateway's own (KubernetesWarmUp).
      CompletableFuture<Void> serializationWarm = CompletableFuture.runAsync(
          () -> KubernetesClients.warmUp(client.getKubernetesSerialization()),
          task -> new Thread(task, "kubernetes-warm-up").start());
      KubernetesWarmUp kubernetesWarmUp = warmUp.enabled() && warmUp.kubernetesRounds() > 0
          ? new KubernetesWarmUp(warmUp.kubernetesRounds(), warmUp.timeout()) : KubernetesWarmUp.none();

      // Closed last of the node's own parts: after the actor system (journal, projections,
      // sharding) terminated, so nothing fails on a closed database while it stops.
      stop.add("journal-database", () -> JournalConfig.closeDatabase(config));
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tugboat",
          drain.shutdownConfig().withFallback(config));
      stop.add("actor-system", () -> {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
      });
      Cluster cluster = Cluster.get(system);
      ClusterFormation.start(system, config);
      CrashedMemberDowning.Settings downing = CrashedMemberDowning.Settings.fromConfig(config);
      if (downing.enabled()) {
        system.systemActorOf(CrashedMemberDowning.create(downing), "crashed-member-downing", Props.empty());
      }
      try {
        JournalSchema.createIfNotExists(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof FixedSettings.Changed changed) {
          throw changed;
        }
        throw e;
      }
      NodeSecrets.restrictDataDir(settings);
      if (warmUp.enabled() && warmUp.journalRecoveries() > 0) {
        long t = System.nanoTime();
        try {
          JournalWarmUp.run(system, warmUp.journalRecoveries(), warmUp.timeout());
          log.info("Journal warm-up: {} empty recoveries in {} ms", warmUp.journalRecoveries(),
              (System.nanoTime() - t) / 1_000_000);
        } catch (ExecutionException | TimeoutException e) {
          // Best effort: the journal's own readiness check says whether the journal works.
          log.warn("Journal warm-up not finished: {}", e instanceof ExecutionException ? e.getCause() : e);
        }
      }
      serializationWarm.join();

      PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      EntityDirectory directory = new ShardedEntityDirectory(system);
      PodInformerStatus informerStatus = new PodInformerStatus();
      ActorRef<KubernetesCommand> gateway = system.systemActorOf(
          KubernetesGateway.create(k8sSettings, client, LocalShardEvents.start(system, directory), metrics, sealer,
              informerStatus, kubernetesWarmUp),
          "kubernetes-gateway", Props.empty());
      EntitySettings entitySettings = EntitySettings.fromConfig(config);
      JournalQueries journal = JournalQueries.start(system, metrics);
      MqttBridge bridge = MqttBridge.start(system, MqttSettings.fromConfig(config), directory, metrics);
      stop.add("mqtt-bridge", bridge);
      NotificationSettings notificationSettings = NotificationSettings.fromConfig(config);
      SimulationWiring wiring = SimulationWiring.of(directory, entitySettings, notificationSettings.tags(), sealer);
      if (notificationSettings.fastPath()) {
        wiring = wiring.withFastPath(
            new SimulationWiring.FastPath(bridge.notifier(), notificationSettings.publishTimeout()));
      }
      SimulationEntity.init(system, wiring, journal, metrics);
      ServiceEntity.init(system, directory, gateway, entitySettings, journal);
      HostedEndpointsBoard hostedBoard = HostedEndpointsBoard.start(system, directory);
      HostedServiceEntity.init(system, gateway, hostedBoard, HostedSettings.fromConfig(config));
      RetentionSweeper.init(system, directory, entitySettings, RetentionSweeper.Settings.fromConfig(config), journal);
      NotificationProjection.init(system, directory, bridge.notifier(), notificationSettings);
      SimulationSummaryProjection.init(system, notificationSettings.tags(), SimulationSummarySettings.fromConfig(config));
      OwnPodReconciler.init(system, gateway, directory, OwnPodReconciler.Settings.fromConfig(config));

      NodeReadiness readiness = readiness(NodeReadiness.Settings.fromConfig(config), cluster, bridge, journal.ids(),
          informerStatus, kubernetesWarmUp);
      HttpSettings httpSettings = HttpSettings.fromConfig(config);
      JournalServiceRecords serviceRecords = new JournalServiceRecords(ServiceHistories.of(system), gateway,
          httpSettings.askTimeout(), system.scheduler());
      LifecycleEventFeed events = LifecycleEventFeed.start(system, EventFeedSettings.fromConfig(config), metrics);
      ServerBinding binding = HttpServer.start(system, httpSettings, access, directory, journalIds(journal.ids()),
              new JournalSimulationList(journal.summaries()), serviceRecords, readiness, metrics::scrape,
              new JournalLifecycleEvents(events), EventStreamSettings.fromConfig(config),
              new HostedServices(hostedBoard, hostedBoard, ServiceUrlSettings.fromConfig(config)))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      stop.add("http-binding", () -> binding.unbind().toCompletableFuture().join());
      log.info("Tugboat node up: mode={}, http={}, cluster={}", settings.mode(), binding.localAddress(),
          cluster.selfMember().address());
      return new TugboatNode(system, settings, bridge, readiness, binding, stop, drain);
    } catch (Exception | Error e) {
      stop.run(drain.time());
      throw e;
    }
  }

  /** The HTTP routes' existence checks, answered from the journal tables. */
  private static KnownIds journalIds(JournalIds ids) {
    return new KnownIds() {
      @Override
      public CompletionStage<Boolean> simulationExists(String simulationId) {
        return ids.simulationExists(simulationId);
      }

      @Override
      public CompletionStage<Boolean> serviceExists(ServiceId serviceId) {
        return ids.serviceExists(serviceId);
      }
    };
  }

  /**
   * The checks behind GET /health/ready: cluster membership, the MQTT subscription and the pod
   * informer (with the gateway's start-up warm-up: not ready before it is over) are read from state
   * kept up to date elsewhere; only the journal costs a query.
   */
  private static NodeReadiness readiness(NodeReadiness.Settings settings, Cluster cluster, MqttBridge bridge,
      JournalIds journal, PodInformerStatus informer, KubernetesWarmUp warmUp) {
    return new NodeReadiness(List.of(
        NodeReadiness.Probe.immediate("cluster", () -> {
          MemberStatus status = cluster.selfMember().status();
          return status == MemberStatus.up() ? Optional.empty()
              : Optional.of("cluster member status is " + status + ", not Up");
        }),
        NodeReadiness.Probe.immediate("mqtt", () -> bridge.isConnected() ? Optional.empty()
            : Optional.of("not connected to the broker " + bridge.settings().serverUri() + " and subscribed")),
        new NodeReadiness.Probe("journal", new CachedProbe(journal::ping, settings.journalFresh(), System::nanoTime)),
        NodeReadiness.Probe.immediate("kubernetes", () -> informer.problem().or(warmUp::problem))),
        settings.checkTimeout());
  }

  /** The readiness checks GET /health/ready answers with; the stage never blocks and completes within the check timeout. */
  public CompletionStage<List<Readiness.Check>> readiness() {
    return readiness.check();
  }

  /**
   * True when every readiness check passes. Waits for the checks (at most the check timeout), so
   * it is for callers on their own thread (tests, demo, bench), never an actor or a route.
   */
  public boolean isReady() {
    return failing(readiness.check().toCompletableFuture().join()).isEmpty();
  }

  /**
   * Waits until every readiness check passes, for callers that publish right after start (demo,
   * bench, tests): a message published before the subscription exists reaches no one.
   */
  public void awaitReady(Duration timeout) throws InterruptedException {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    AtomicReference<List<Readiness.Check>> last = new AtomicReference<>(List.of());
    // Overlapping rounds cost nothing more: the journal probe is shared while in flight.
    Cancellable poll = system.scheduler().scheduleAtFixedRate(Duration.ZERO, Duration.ofMillis(50), () ->
        readiness.check().thenAccept(checks -> {
          last.set(checks);
          if (failing(checks).isEmpty()) {
            ready.complete(null);
          }
        }), system.executionContext());
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("node not ready after " + timeout + ": " + failing(last.get()));
    } catch (ExecutionException e) {
      throw new IllegalStateException("readiness check failed", e.getCause());
    } finally {
      poll.cancel();
    }
  }

  private static List<Readiness.Check> failing(List<Readiness.Check> checks) {
    return checks.stream().filter(c -> !c.ok()).toList();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public NodeSettings settings() {
    return settings;
  }

  public MqttBridge bridge() {
    return bridge;
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** Stops the node and what it was started with, within the drain time. */
  @Override
  public void close() {
    stop.run(drain.time());
  }
}
