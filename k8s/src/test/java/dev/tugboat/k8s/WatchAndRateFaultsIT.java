package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.k8s.sim.ApiServerCounters;
import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.service.ServiceCommand;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway's watch recovery and 429 pauses against the simulator's fault knobs, counted at the server. */
class WatchAndRateFaultsIT {
  private static final AtomicInteger DEPLOYMENTS = new AtomicInteger();
  private static ActorTestKit testKit;
  private static SimulatedKubernetes kube;

  private ProbeDirectory directory;
  private KubernetesSettings settings;
  private SimpleMeterRegistry registry;
  private ActorRef<KubernetesCommand> gateway;

  @BeforeAll
  static void startAll() {
    testKit = ActorTestKit.create();
    kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults("dots")
        .withPendingDelay(Duration.ofMillis(20)).withModelRunTime(Duration.ofMinutes(5)));
  }

  @AfterAll
  static void stopAll() {
    testKit.shutdownTestKit();
    kube.close();
  }

  @BeforeEach
  void startGateway() {
    directory = new ProbeDirectory(testKit);
    registry = new SimpleMeterRegistry();
    settings = KubernetesGatewayIT.baseSettings("wf-" + DEPLOYMENTS.incrementAndGet());
    gateway = testKit.spawn(KubernetesGateway.create(settings, kube.client(), directory, registry));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> kube.openWatches() >= 1);
  }

  @AfterEach
  void stopGateway() {
    testKit.stop(gateway);
    kube.faults().clear();
    // Each test reads the counters from zero, whatever ran before it.
    kube.counters().reset();
  }

  private ServiceSpec spec(String model) {
    String so = "so-" + settings.deploymentId();
    return new ServiceSpec(so, "sim", model, "busybox", List.of(), 1.0, PodNames.podName(so, "sim", model));
  }

  private TestProbe<PodCallResult> create(ServiceSpec spec) {
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreatePod(spec, reply.ref()));
    return reply;
  }

  private void awaitRunning(String podName) {
    directory.services.fishForMessage(Duration.ofSeconds(15), podName + " running", m ->
        m instanceof ServiceCommand.PodObserved o && o.pod().podName().equals(podName)
            && o.pod().container() == dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState.RUNNING
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }

  @Test
  void droppedWatchesAreResumedAndPodsStillObserved() {
    ServiceSpec a = spec("m0");
    assertInstanceOf(PodCallResult.Succeeded.class, create(a).receiveMessage(Duration.ofSeconds(10)));
    awaitRunning(a.podName());
    assertTrue(kube.faults().dropWatches() >= 1);
    ServiceSpec b = spec("m1");
    assertInstanceOf(PodCallResult.Succeeded.class, create(b).receiveMessage(Duration.ofSeconds(10)));
    awaitRunning(b.podName());
  }

  @Test
  void expiredResourceVersionLeadsToAReListAndNoEventIsLost() {
    ServiceSpec a = spec("m0");
    assertInstanceOf(PodCallResult.Succeeded.class, create(a).receiveMessage(Duration.ofSeconds(10)));
    awaitRunning(a.podName());
    int listsBefore = kube.counters().requests(ApiServerCounters.Kind.LIST);
    kube.faults().expireWatchVersions();
    kube.faults().dropWatches();
    ServiceSpec b = spec("m1");
    assertInstanceOf(PodCallResult.Succeeded.class, create(b).receiveMessage(Duration.ofSeconds(10)));
    awaitRunning(b.podName());
    // The 410 Gone made the informer list again.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        kube.counters().requests(ApiServerCounters.Kind.LIST) > listsBefore);
  }

  @Test
  void nodeLostAndStuckPendingShowInThePodStatus() {
    kube.faults().stuckPending(".*m-stuck.*");
    ServiceSpec stuck = spec("m-stuck");
    ServiceSpec lost = spec("m-lost");
    assertInstanceOf(PodCallResult.Succeeded.class, create(stuck).receiveMessage(Duration.ofSeconds(10)));
    assertInstanceOf(PodCallResult.Succeeded.class, create(lost).receiveMessage(Duration.ofSeconds(10)));
    awaitRunning(lost.podName());
    assertTrue(kube.faults().nodeLost(lost.podName()));
    Pod p = kube.client().pods().inNamespace("dots").withName(lost.podName()).get();
    assertEquals("Unknown", p.getStatus().getPhase());
    assertEquals("NodeLost", p.getStatus().getReason());
    Pod s = kube.client().pods().inNamespace("dots").withName(stuck.podName()).get();
    assertEquals("Pending", s.getStatus().getPhase());
    assertEquals("ContainerCreating", s.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason());
  }

  @Test
  void a429PausesEveryCreateUntilRetryAfter() {
    kube.faults().inject429(1, 1);
    int before = kube.counters().requests(ApiServerCounters.Kind.CREATE);
    TestProbe<PodCallResult> first = create(spec("m0"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> kube.counters().injectedFaults(429) == 1);
    TestProbe<PodCallResult> second = create(spec("m1"));
    // Neither the retry nor the new create reaches the server while creates are paused.
    Awaitility.await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(1)).until(() ->
        kube.counters().requests(ApiServerCounters.Kind.CREATE) == before + 1);
    assertInstanceOf(PodCallResult.Succeeded.class, first.receiveMessage(Duration.ofSeconds(5)));
    assertInstanceOf(PodCallResult.Succeeded.class, second.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(before + 3, kube.counters().requests(ApiServerCounters.Kind.CREATE));
    assertEquals(1.0, registry.counter("tugboat.k8s.retries", "kind", "create").count());
    assertTrue(registry.counter("tugboat.k8s.paused.seconds", "kind", "create").count() >= 0.9);
  }

  @Test
  void repeated429sPauseForTheirRetryAfterNotForTheRefusedCallsGrowingBackoff() {
    // A backoff of 5 s doubling per attempt: had the refused call's attempt stretched the pauses, its
    // four 429s in a row would pause creates for about 2.6 + 5 + 10 + 20 s instead of 4 x 1 s.
    testKit.stop(gateway);
    settings = settings.withRetry(new KubernetesSettings.Retry(Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(2)));
    gateway = testKit.spawn(KubernetesGateway.create(settings, kube.client(), directory, registry));
    kube.faults().inject429(4, 1);
    long start = System.nanoTime();
    assertInstanceOf(PodCallResult.Succeeded.class, create(spec("m-burst")).receiveMessage(Duration.ofSeconds(15)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(4, kube.counters().injectedFaults(429));
    assertTrue(took.compareTo(Duration.ofMillis(3_900)) >= 0 && took.compareTo(Duration.ofSeconds(8)) < 0,
        "four 429s with Retry-After 1 s took " + took.toMillis() + " ms");
    double paused = registry.counter("tugboat.k8s.paused.seconds", "kind", "create").count();
    assertTrue(paused >= 3.9 && paused <= 4.5, "creates paused for " + paused + " s");
  }
}
