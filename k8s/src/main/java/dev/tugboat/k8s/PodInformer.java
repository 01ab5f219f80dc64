package dev.tugboat.k8s;

import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.kubernetes.HostedPods;
import dev.tugboat.protocol.kubernetes.OwnPods;
import dev.tugboat.protocol.kubernetes.PodLookupResult;
import dev.tugboat.protocol.service.ServiceCommand;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The informer on this deployment's pods (label {@code tugboat.dev/deployment}): it tells each
 * {@code ServiceEntity} (and each hosted service, for pods labelled {@code tugboat.dev/hosted-service}) what its pod does and the gateway whether the pod is live, answers
 * lookups from its cache, and is started again after a backoff when fabric8 stops it. Mutable
 * and confined to the gateway actor, because it holds the running fabric8 informer; its restart
 * bookkeeping is the immutable {@link Lifecycle}.
 */
final class PodInformer {

  private static final Logger CALLBACK_LOG = LoggerFactory.getLogger(KubernetesGateway.class);

  /**
   * Which informer is the current one (each start is a new generation, so that news of an older
   * one is ignored), how many stopped in a row since the last sync (the restart backoff grows with
   * them), and whether the gateway is stopping (nothing restarts then).
   */
  record Lifecycle(int generation, int failures, boolean stopping) {

    static final Lifecycle INITIAL = new Lifecycle(0, 0, false);

    /** A new informer starts. */
    Lifecycle started() {
      return new Lifecycle(generation + 1, failures, stopping);
    }

    boolean isCurrent(int g) {
      return g == generation;
    }

    /** The informer of generation {@code g} synced: the failures in a row end if it is the current one. */
    Lifecycle synced(int g) {
      return isCurrent(g) ? new Lifecycle(generation, 0, stopping) : this;
    }

    /**
     * Whether the stop of generation {@code g} calls for a restart: not while stopping, not for an
     * older informer, and not when a restart is pending already.
     */
    boolean restartsAfterStop(int g, boolean restartPending) {
      return !stopping && isCurrent(g) && !restartPending;
    }

    /** One more stop in a row. */
    Lifecycle failed() {
      return new Lifecycle(generation, failures + 1, stopping);
    }

    /** The backoff before the restart after the latest failure. */
    Duration restartDelay(KubernetesSettings.Retry retry, RandomGenerator random) {
      return Backoff.delay(retry, Math.min(failures - 1, 20), Duration.ZERO, random);
    }

    /** Whether a restart scheduled for generation {@code g} is still wanted. */
    boolean restartDue(int g) {
      return !stopping && isCurrent(g);
    }

    /** The gateway is stopping: no restart from now on. */
    Lifecycle stoppingForGood() {
      return new Lifecycle(generation, failures, true);
    }
  }

  /** A started informer: its generation, and futures that complete when it has synced and when it stopped. */
  record Started(int generation, CompletionStage<Void> synced, CompletionStage<Void> stopped) {}

  private final KubernetesClient client;
  private final KubernetesSettings settings;
  private final EntityDirectory directory;
  private final BiConsumer<String, Boolean> liveness;
  private SharedIndexInformer<Pod> informer;
  private Lifecycle lifecycle = Lifecycle.INITIAL;

  /** {@code liveness} is told, on the informer's thread, whether each pod seen is live; it must not block. */
  PodInformer(KubernetesClient client, KubernetesSettings settings, EntityDirectory directory,
              BiConsumer<String, Boolean> liveness) {
    this.client = client;
    this.settings = settings;
    this.directory = directory;
    this.liveness = liveness;
  }

  /** Starts a new informer, the current one from now on. */
  Started start() {
    lifecycle = lifecycle.started();
    SharedIndexInformer<Pod> inf = client.pods().inNamespace(settings.namespace())
        .withLabels(PodFactory.ownershipLabels(settings.deploymentId()))
        .runnableInformer(settings.informerResync().toMillis());
    inf.addEventHandler(new PodEvents(directory, liveness));
    informer = inf;
    return new Started(lifecycle.generation(), inf.start(), inf.stopped());
  }

  /** The informer of generation {@code g} synced; returns whether it is the current one. */
  boolean synced(int g) {
    lifecycle = lifecycle.synced(g);
    return lifecycle.isCurrent(g);
  }

  /** The informer of generation {@code g} stopped; returns the delay before its restart, if it is to be restarted. */
  Optional<Duration> stopped(int g, boolean restartPending, RandomGenerator random) {
    if (!lifecycle.restartsAfterStop(g, restartPending)) {
      return Optional.empty();
    }
    lifecycle = lifecycle.failed();
    return Optional.of(lifecycle.restartDelay(settings.retry(), random));
  }

  /** Whether generation {@code g} is the current informer. */
  boolean isCurrent(int g) {
    return lifecycle.isCurrent(g);
  }

  /** How many informers stopped in a row. */
  int failures() {
    return lifecycle.failures();
  }

  /** The restart scheduled for generation {@code g} is due: stops that informer and starts a new one, if still wanted. */
  Optional<Started> restart(int g) {
    if (!lifecycle.restartDue(g)) {
      return Optional.empty();
    }
    // Stopping closes the old watch; it is quick and does not wait for the server.
    informer.stop();
    return Optional.of(start());
  }

  /** For good: no restart follows. */
  void stop() {
    lifecycle = lifecycle.stoppingForGood();
    if (informer != null) {
      informer.stop();
    }
  }

  /** The pod as the cache holds it; Unknown while the cache is not synced. */
  PodLookupResult lookup(String podName) {
    if (!isSynced()) {
      return new PodLookupResult.Unknown(podName, "the pod watch is not synced");
    }
    Pod pod = informer.getStore().getByKey(settings.namespace() + "/" + podName);
    if (pod == null) {
      return new PodLookupResult.Absent(podName);
    }
    return PodSnapshots.tryOf(pod).<PodLookupResult>map(PodLookupResult.Present::new)
        .orElseGet(() -> new PodLookupResult.Unknown(podName, "the pod has no Tugboat annotations"));
  }

  /** The pods of hosted service {@code service} in the cache; not synced, with none, while the cache is not. */
  HostedPods hostedPods(String service) {
    if (!isSynced()) {
      return new HostedPods(false, List.of());
    }
    return new HostedPods(true, informer.getStore().list().stream()
        .filter(p -> HostedPodSnapshots.serviceOf(p).filter(service::equals).isPresent())
        .map(HostedPodSnapshots::tryOf).flatMap(Optional::stream).toList());
  }

  /** Every pod in the cache that carries Tugboat's annotations; not synced, with none, while the cache is not. */
  OwnPods ownPods() {
    if (!isSynced()) {
      return new OwnPods(false, List.of());
    }
    List<Pod> all = informer.getStore().list();
    return new OwnPods(true, all.stream().map(PodSnapshots::tryOf).flatMap(Optional::stream).toList(),
        all.stream().map(HostedPodSnapshots::tryOf).flatMap(Optional::stream).toList());
  }

  /** The pods in the cache, each name with whether the pod is live, from one look at the cache. */
  Map<String, Boolean> liveness() {
    Map<String, Boolean> seen = new HashMap<>();
    for (Pod p : informer.getStore().list()) {
      seen.put(p.getMetadata().getName(), isLive(p));
    }
    return seen;
  }

  private boolean isSynced() {
    SharedIndexInformer<Pod> inf = informer;
    return inf != null && inf.isRunning() && inf.hasSynced();
  }

  /** Not Succeeded/Failed and not being deleted: it counts against the admission limit. */
  static boolean isLive(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return pod.getMetadata().getDeletionTimestamp() == null && !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  /**
   * Informer callbacks: translate and tell the service entity and the gateway, nothing else (they
   * run on the informer's thread, which must never wait).
   */
  private static final class PodEvents implements ResourceEventHandler<Pod> {
    private final EntityDirectory directory;
    private final BiConsumer<String, Boolean> liveness;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    PodEvents(EntityDirectory directory, BiConsumer<String, Boolean> liveness) {
      this.directory = directory;
      this.liveness = liveness;
    }

    @Override
    public void onAdd(Pod pod) {
      observed(pod);
    }

    @Override
    public void onUpdate(Pod oldPod, Pod newPod) {
      observed(newPod);
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
      if (pod.getMetadata() != null) {
        liveness.accept(pod.getMetadata().getName(), false);
      }
      Optional<HostedPod> hosted = HostedPodSnapshots.tryOf(pod);
      if (hosted.isPresent()) {
        directory.hostedService(hosted.get().service()).tell(new HostedCommand.PodGone(hosted.get()));
        return;
      }
      PodSnapshots.tryOf(pod).ifPresentOrElse(
          s -> directory.service(s.serviceId())
              .tell(new ServiceCommand.PodGone(s.podName(), finalStateUnknown, s)),
          () -> warnOnce(pod));
    }

    private void observed(Pod pod) {
      if (pod.getMetadata() != null) {
        liveness.accept(pod.getMetadata().getName(), isLive(pod));
      }
      Optional<HostedPod> hosted = HostedPodSnapshots.tryOf(pod);
      if (hosted.isPresent()) {
        directory.hostedService(hosted.get().service()).tell(new HostedCommand.PodObserved(hosted.get()));
        return;
      }
      PodSnapshots.tryOf(pod).ifPresentOrElse(
          s -> directory.service(s.serviceId()).tell(new ServiceCommand.PodObserved(s)),
          () -> warnOnce(pod));
    }

    private void warnOnce(Pod pod) {
      String name = pod.getMetadata() == null ? "?" : pod.getMetadata().getName();
      if (warned.add(name)) {
        CALLBACK_LOG.warn("Ignoring pod {}: it carries the Tugboat labels but not the service annotations", name);
      }
    }
  }
}
