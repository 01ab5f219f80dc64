package dev.tugboat.k8s.sim;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated Kubernetes of mode {@code simulated} (demo, tests, benchmark): fabric8's mock web
 * server with an indexed pod store ({@link SimulatedApiServer}), in process on a loopback port, with fault knobs ({@link #faults()}), a
 * pod log endpoint, server-side counters ({@link #counters()}), and a {@link SimulatedKubelet}
 * that moves pods through their phases and runs the DOTS fake model. The mock server's CRUD mode
 * has no garbage collector: {@link SimulatedGarbageCollector} deletes the Secrets a deleted pod
 * owned.
 */
public final class SimulatedKubernetes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedKubernetes.class);
  /** The mock server logs every request at INFO through java.util.logging; far too much for a benchmark. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger(MockWebServer.class.getName());

  static {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  /** Watch events kept for watches that resume from a resourceVersion; older ones get 410 Gone. */
  private static final int WATCH_HISTORY = 20_000;

  private final SimulatedKubernetesSettings settings;
  private final ApiServerAccess access;
  private final KubernetesMockServer server;
  private final Faults faults;
  private final ApiServerCounters counters;
  private final ModelLogs logs;
  private final NamespacedKubernetesClient client;
  private final PodStore store;
  private final SimulatedKubelet kubelet;
  /** The kubelet's and the garbage collector's own client (uncounted, never faulted). */
  private final NamespacedKubernetesClient systemClient;
  private final SimulatedGarbageCollector garbageCollector;

  private SimulatedKubernetes(SimulatedKubernetesSettings settings, ApiServerAccess access) {
    this.settings = settings;
    this.access = access;
    this.faults = new Faults(settings);
    this.counters = new ApiServerCounters();
    this.logs = new ModelLogs();
    this.store = new PodStore(WATCH_HISTORY);
    // The server parses and writes pods with the static Serialization. fabric8 builds a pod
    // deserializer on first use, loading its registry of every kind (hundreds of classes): warm it
    // up before the first request, not on the server's one event loop.
    Serialization.unmarshal(Serialization.asJson(warmUpPod()), Pod.class);
    SimulatedApiServer dispatcher = new SimulatedApiServer(store, faults, counters, logs, access.bearerToken());
    this.server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(),
        new HashMap<>(), dispatcher, access.https());
    server.init(InetAddress.getLoopbackAddress(), 0);
    this.client = newClient();
    // And the client's own: bench-cluster watches through it, and its first watch event would hold
    // the client's event loop for seconds while fabric8 loads its registry of kinds.
    KubernetesSerialization clientSerialization = client.getKubernetesSerialization();
    clientSerialization.unmarshal(clientSerialization.asJson(warmUpPod()), Pod.class);
    this.systemClient = server.createClient(b -> b.editOrNewConfig()
        .withNamespace(settings.namespace())
        .withUserAgent(SimulatedApiServer.KUBELET_USER_AGENT)
        .withRequestRetryBackoffLimit(0)
        .withOauthToken(token())
        .endConfig());
    this.kubelet = new SimulatedKubelet(store, settings, logs, faults, systemClient);
    this.garbageCollector = new SimulatedGarbageCollector(systemClient, settings.namespace());
    faults.bind(store, kubelet);
  }

  /** A pod with the parts the gateway's pods have (labels, a container with env, a container status). */
  private static Pod warmUpPod() {
    return new PodBuilder()
        .withNewMetadata().withName("warm-up").withLabels(java.util.Map.of("a", "b")).endMetadata()
        .withNewSpec().addNewContainer().withName("model").withImage("img").addNewEnv().withName("A").withValue("1")
        .endEnv().endContainer().endSpec()
        .withNewStatus().withPhase("Running").addNewContainerStatus().withName("model").withNewState().withNewRunning()
        .endRunning().endState().endContainerStatus().endStatus()
        .build();
  }

  /** Starts the API server (plain http, no token) and the kubelet; returns when both are ready. */
  public static SimulatedKubernetes start(SimulatedKubernetesSettings settings) {
    return start(settings, ApiServerAccess.plain());
  }

  /** Starts the API server, reached as {@code access} says, and the kubelet; returns when both are ready. */
  public static SimulatedKubernetes start(SimulatedKubernetesSettings settings, ApiServerAccess access) {
    SimulatedKubernetes k = new SimulatedKubernetes(settings, access);
    try {
      k.kubelet.start();
      k.store.addListener(e -> {
        if (e.type().equals("DELETED")) {
          k.garbageCollector.ownerDeleted(e.pod());
        }
      });
    } catch (RuntimeException e) {
      k.close();
      throw e;
    }
    LOG.info("Simulated Kubernetes serving namespace {} at {}", settings.namespace(), k.url());
    return k;
  }

  /**
   * The client for the gateway: pointed at the simulated server, without the client's own
   * retries (the gateway retries). Closed by {@link #close()}.
   */
  public KubernetesClient client() {
    return client;
  }

  /** Another client like {@link #client()}, for tests that want their own; the caller closes it. */
  public NamespacedKubernetesClient newClient() {
    return server.createClient(b -> b.editOrNewConfig()
        .withNamespace(settings.namespace())
        .withRequestRetryBackoffLimit(0)
        .withRequestTimeout(30_000)
        .withOauthToken(token())
        .endConfig());
  }

  /** The token the clients made here send: the server's, or none. */
  private String token() {
    return access.requiresToken() ? access.bearerToken() : null;
  }

  /** The server's base URL: http or, when started with https, https on the same loopback port. */
  public String url() {
    return server.url("/");
  }

  /** The loopback port the API server listens on. */
  public int port() {
    return server.getPort();
  }

  public ApiServerAccess access() {
    return access;
  }

  public Faults faults() {
    return faults;
  }

  public ApiServerCounters counters() {
    return counters;
  }

  /** The containers' log lines as the log endpoint serves them. */
  public ModelLogs logs() {
    return logs;
  }

  public SimulatedKubelet kubelet() {
    return kubelet;
  }

  /**
   * Observes every stored pod change in process, without a watch through the API server (so an
   * observer such as the benchmark adds no load to the server it measures). The observer is
   * called under the store's lock with the change type (ADDED, MODIFIED, DELETED) and the pod
   * version, which it must not modify; it must return quickly.
   */
  public void observePods(java.util.function.BiConsumer<String, io.fabric8.kubernetes.api.model.Pod> observer) {
    store.addListener(e -> observer.accept(e.type(), e.pod()));
  }

  /** Watch connections open on the server now. */
  public int openWatches() {
    return store.openWatches();
  }

  /** Pods stored now. */
  public int storedPods() {
    return store.size();
  }

  /** Pods stored now that are not in phase Succeeded or Failed (what a pod quota counts). */
  public int livePods() {
    return store.livePods();
  }

  /** The most live pods at once since the last {@link #resetPeakLivePods()} (or the start). */
  public int peakLivePods() {
    return store.peakLivePods();
  }

  /** Starts counting the peak of live pods afresh from the current count. */
  public void resetPeakLivePods() {
    store.resetPeakLivePods();
  }

  public SimulatedKubernetesSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    kubelet.close();
    garbageCollector.close();
    systemClient.close();
    client.close();
    server.destroy();
  }
}
