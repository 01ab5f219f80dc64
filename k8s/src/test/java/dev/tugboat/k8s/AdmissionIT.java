package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Admission of creates against the simulated Kubernetes: the hard cap on live pods, the FIFO
 * admission queue and its Queued notices, and the limit learnt from "exceeded quota" answers.
 * Pods run briefly so the queue drains as they end; live pods are counted at the server.
 */
class AdmissionIT {
  private static final String NS = "dots";
  private static final Duration RUN_TIME = Duration.ofMillis(400);
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final AtomicInteger DEPLOYMENTS = new AtomicInteger();

  private static ActorTestKit testKit;
  private static SimulatedKubernetes kube;

  private SimpleMeterRegistry registry;
  private KubernetesSettings settings;
  private ActorRef<KubernetesCommand> gateway;

  @BeforeAll
  static void startAll() {
    testKit = ActorTestKit.create();
    kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults(NS)
        .withPendingDelay(Duration.ofMillis(20))
        .withModelRunTime(RUN_TIME));
  }

  @AfterAll
  static void stopAll() {
    testKit.shutdownTestKit();
    kube.close();
  }

  @BeforeEach
  void reset() {
    kube.counters().reset();
    kube.resetPeakLivePods();
  }

  @AfterEach
  void cleanUp() {
    if (gateway != null) {
      testKit.stop(gateway);
    }
    kube.faults().clear();
    kube.client().pods().inNamespace(NS).delete();
    Awaitility.await().atMost(WAIT).until(() -> kube.storedPods() == 0);
  }

  private void startGateway(int maxPods, int raiseAfter, Duration giveUpAfter) {
    registry = new SimpleMeterRegistry();
    settings = KubernetesSettings.fromConfig(ConfigFactory.parseString(
            "tugboat.kubernetes.deployment-id = adm-" + DEPLOYMENTS.incrementAndGet())
            .withFallback(ConfigFactory.defaultReference()).resolve())
        .withRetry(new KubernetesSettings.Retry(Duration.ofMillis(20), Duration.ofMillis(200), giveUpAfter))
        .withAdmission(new KubernetesSettings.Admission(maxPods, raiseAfter));
    gateway = testKit.spawn(KubernetesGateway.create(settings, kube.client(), new ProbeDirectory(testKit), registry));
    // The gateway registers its gauges when it starts, just after spawn returns.
    Awaitility.await().atMost(WAIT).until(() -> registry.find("tugboat.k8s.admission.at-quota").gauge() != null);
  }

  /** A pod that runs RUN_TIME, or runSeconds when given (a long one holds its slot). */
  private ServiceSpec spec(String model, String... runSeconds) {
    List<EnvVar> env = runSeconds.length == 0 ? List.of() : List.of(new EnvVar("FAKE_MODEL_RUN_SECONDS", runSeconds[0]));
    String simulator = "so-" + settings.deploymentId();
    return new ServiceSpec(simulator, "sim", model, "busybox", env, 24.0, PodNames.podName(simulator, "sim", model));
  }

  /** A pod of simulation {@code simulation} that runs RUN_TIME. */
  private ServiceSpec specIn(String simulation, String model) {
    String simulator = "so-" + settings.deploymentId();
    return new ServiceSpec(simulator, simulation, model, "busybox", List.of(), 24.0,
        PodNames.podName(simulator, simulation, model));
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private PodCallResult.Succeeded createNow(ServiceSpec spec) {
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreatePod(spec, reply.ref()));
    return assertInstanceOf(PodCallResult.Succeeded.class, reply.receiveMessage(WAIT));
  }

  private PodCallResult.Queued expectQueued(TestProbe<PodCallResult> probe, String podName, int position) {
    PodCallResult.Queued q = assertInstanceOf(PodCallResult.Queued.class, probe.receiveMessage(WAIT));
    assertEquals(podName, q.podName());
    assertEquals(position, q.position(), q::toString);
    return q;
  }

  private void assertCreatedOnce(List<ServiceSpec> specs) {
    specs.forEach(s -> assertEquals(1, kube.counters().creates(s.podName()), s.podName()));
  }

  @ParameterizedTest(name = "cap {0}, {1} pods")
  @CsvSource({"1, 4", "2, 8", "3, 9"})
  void theHardCapIsNeverExceededAndTheQueueDrainsInOrder(int cap, int pods) {
    startGateway(cap, 10, Duration.ofSeconds(10));
    assertEquals(cap, gauge("tugboat.k8s.admission.limit"));
    List<ServiceSpec> specs = new ArrayList<>();
    List<TestProbe<PodCallResult>> probes = new ArrayList<>();
    TestProbe<PodCallResult> all = testKit.createTestProbe();
    for (int i = 0; i < pods; i++) {
      specs.add(spec("m" + i));
      gateway.tell(new KubernetesCommand.CreatePod(specs.get(i), all.ref()));
    }
    // pods - cap Queued notices, then pods finals: the first cap are admitted at once.
    List<PodCallResult> replies = all.receiveSeveralMessages(2 * pods - cap, Duration.ofSeconds(30));
    List<PodCallResult.Queued> queued = replies.stream()
        .filter(r -> r instanceof PodCallResult.Queued).map(r -> (PodCallResult.Queued) r).toList();
    assertEquals(pods - cap, queued.size(), replies::toString);
    for (int i = 0; i < queued.size(); i++) {
      assertEquals(specs.get(cap + i).podName(), queued.get(i).podName());
      assertEquals(i + 1, queued.get(i).position());
      assertTrue(queued.get(i).reason().contains("max-pods"), queued.get(i).reason());
    }
    List<String> succeeded = replies.stream()
        .filter(r -> r instanceof PodCallResult.Succeeded).map(PodCallResult::podName).toList();
    assertEquals(pods, succeeded.size(), replies::toString);
    if (cap == 1) {
      // One at a time: each create is admitted only after the previous pod ended, so the
      // answers come in admission order, which must be the order of asking.
      assertEquals(specs.stream().map(ServiceSpec::podName).toList(), succeeded);
    }
    assertCreatedOnce(specs);
    assertEquals(cap, kube.peakLivePods(), "most live pods at the server at once");
    Awaitility.await().atMost(WAIT).until(() -> gauge("tugboat.k8s.admission.queued") == 0.0);
    assertEquals(0.0, gauge("tugboat.k8s.admission.at-quota"));
    all.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void simulationsTakeTurnsInTheQueueSoASmallOneIsNotStarvedByABigOne() {
    startGateway(1, 10, Duration.ofSeconds(10));
    ServiceSpec holder = spec("long", "30");
    createNow(holder);
    TestProbe<PodCallResult> all = testKit.createTestProbe();
    List<ServiceSpec> big = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      big.add(specIn("big", "b" + i));
      gateway.tell(new KubernetesCommand.CreatePod(big.get(i), all.ref()));
    }
    List<ServiceSpec> small = List.of(specIn("small", "s0"), specIn("small", "s1"));
    small.forEach(s -> gateway.tell(new KubernetesCommand.CreatePod(s, all.ref())));
    List<PodCallResult> queued = all.receiveSeveralMessages(8, WAIT);
    // Each position is told when the pod is queued. Turns: b0 s0 b1 s1 b2 b3 b4 b5, so small's
    // pods stand 2nd and 4th although asked after all of big's.
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 2, 4),
        queued.stream().map(r -> assertInstanceOf(PodCallResult.Queued.class, r).position()).toList());

    gateway.tell(new KubernetesCommand.DeletePod(holder.podName(), testKit.<PodCallResult>createTestProbe().ref()));
    List<String> succeeded = all.receiveSeveralMessages(8, Duration.ofSeconds(60)).stream()
        .map(r -> assertInstanceOf(PodCallResult.Succeeded.class, r).podName()).toList();
    assertEquals(List.of(big.get(0), small.get(0), big.get(1), small.get(1), big.get(2), big.get(3), big.get(4),
        big.get(5)).stream().map(ServiceSpec::podName).toList(), succeeded, "admitted one at a time, in turns");
  }

  @Test
  void queuedIsAnsweredOnceAndAgainOnReAskWithoutASecondEntry() {
    startGateway(1, 10, Duration.ofSeconds(10));
    ServiceSpec a = spec("long", "30");
    ServiceSpec b = spec("b");
    ServiceSpec c = spec("c");
    createNow(a);

    TestProbe<PodCallResult> firstAsk = testKit.createTestProbe();
    TestProbe<PodCallResult> secondAsk = testKit.createTestProbe();
    TestProbe<PodCallResult> forC = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreatePod(b, firstAsk.ref()));
    expectQueued(firstAsk, b.podName(), 1);
    gateway.tell(new KubernetesCommand.CreatePod(c, forC.ref()));
    expectQueued(forC, c.podName(), 2);
    gateway.tell(new KubernetesCommand.CreatePod(b, secondAsk.ref()));
    expectQueued(secondAsk, b.podName(), 1);
    assertEquals(2.0, gauge("tugboat.k8s.admission.queued"));
    firstAsk.expectNoMessage(Duration.ofMillis(200));
    assertEquals(0, kube.counters().createAttempts(b.podName()));

    // The long pod goes: b is admitted, and its outcome goes to the latest asker only.
    TestProbe<PodCallResult> deleted = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.DeletePod(a.podName(), deleted.ref()));
    assertInstanceOf(PodCallResult.Succeeded.class, deleted.receiveMessage(WAIT));
    assertEquals(new PodCallResult.Succeeded(b.podName(), "created"), secondAsk.receiveMessage(WAIT));
    // c waits for b to end.
    assertEquals(new PodCallResult.Succeeded(c.podName(), "created"), forC.receiveMessage(WAIT));
    firstAsk.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, kube.counters().createAttempts(b.podName()));
    assertCreatedOnce(List.of(a, b, c));
    Awaitility.await().atMost(WAIT).until(() -> gauge("tugboat.k8s.admission.queued") == 0.0);
    assertEquals(1, kube.peakLivePods());
  }

  /**
   * The delete arrives while the create is on its way to an API server at quota: the delete
   * waits behind it (one call per pod at a time), the create comes back "exceeded quota". It must
   * not go back to the admission queue, where it would make the pod after its delete (an orphan).
   */
  @Test
  void aDeleteWithdrawsACreateRefusedForQuotaWhileItWasInFlight() {
    startGateway(0, 10, Duration.ofSeconds(10));
    kube.faults().maxPods(1);
    ServiceSpec a = spec("long", "30");
    ServiceSpec b = spec("b");
    createNow(a);
    kube.faults().latency(Duration.ofMillis(400));
    TestProbe<PodCallResult> forB = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreatePod(b, forB.ref()));
    Awaitility.await().atMost(WAIT).until(() -> kube.counters().createAttempts(b.podName()) == 1);
    TestProbe<PodCallResult> deleted = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.DeletePod(b.podName(), deleted.ref()));

    PodCallResult.Failed f = assertInstanceOf(PodCallResult.Failed.class, forB.receiveMessage(WAIT));
    assertTrue(f.reason().startsWith("withdrawn"), f.reason());
    assertInstanceOf(PodCallResult.Succeeded.class, deleted.receiveMessage(WAIT));
    kube.faults().latency(Duration.ZERO);
    // Room again: nothing left waits to create b.
    TestProbe<PodCallResult> deletedA = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.DeletePod(a.podName(), deletedA.ref()));
    assertInstanceOf(PodCallResult.Succeeded.class, deletedA.receiveMessage(WAIT));
    forB.expectNoMessage(Duration.ofMillis(500));
    assertEquals(0.0, gauge("tugboat.k8s.admission.queued"));
    assertEquals(1, kube.counters().createAttempts(b.podName()));
    assertEquals(0, kube.counters().creates(b.podName()));
  }

  @Test
  void aDeleteWithdrawsAQueuedCreate() {
    startGateway(1, 10, Duration.ofSeconds(10));
    ServiceSpec a = spec("long", "30");
    ServiceSpec b = spec("b");
    createNow(a);
    TestProbe<PodCallResult> forB = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreatePod(b, forB.ref()));
    expectQueued(forB, b.podName(), 1);

    TestProbe<PodCallResult> deleted = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.DeletePod(b.podName(), deleted.ref()));
    PodCallResult.Failed f = assertInstanceOf(PodCallResult.Failed.class, forB.receiveMessage(WAIT));
    assertTrue(f.reason().startsWith("withdrawn"), f.reason());
    assertEquals(new PodCallResult.Succeeded(b.podName(), "already gone"), deleted.receiveMessage(WAIT));
    assertEquals(0.0, gauge("tugboat.k8s.admission.queued"));
    assertEquals(0, kube.counters().createAttempts(b.podName()));
  }

  /**
   * The namespace quota allows 2 pods. Two long pods fill it; the third create is refused with
   * 403 "exceeded quota": the limit falls to the 2 known live pods and the create waits queued,
   * past give-up-after, without blind retries. With the quota lifted, every raise-after (2)
   * successes raise the limit by one, up to the hard cap when there is one.
   */
  @ParameterizedTest(name = "hard cap {0}")
  @CsvSource({
      "0, 4, 1",
      "3, 3, 0"})
  void theLearntLimitFallsOnQuotaAndRisesAfterSuccesses(int hardCap, int finalLimit, int finalAtQuota) {
    startGateway(hardCap, 2, Duration.ofMillis(800));
    kube.faults().maxPods(2);
    assertEquals(hardCap == 0 ? -1.0 : hardCap, gauge("tugboat.k8s.admission.limit"));
    ServiceSpec a = spec("long-a", "30");
    ServiceSpec b = spec("long-b", "30");
    createNow(a);
    createNow(b);

    ServiceSpec c = spec("c");
    TestProbe<PodCallResult> forC = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreatePod(c, forC.ref()));
    PodCallResult.Queued q = expectQueued(forC, c.podName(), 1);
    assertTrue(q.reason().contains("quota"), q.reason());
    assertEquals(2.0, gauge("tugboat.k8s.admission.limit"));
    assertEquals(1.0, gauge("tugboat.k8s.admission.at-quota"));
    assertEquals(1.0, gauge("tugboat.k8s.admission.queued"));
    // Longer than give-up-after: a queued create neither fails nor is tried again blindly.
    forC.expectNoMessage(Duration.ofMillis(1200));
    assertEquals(1, kube.counters().createAttempts(c.podName()));

    kube.faults().maxPods(0);
    TestProbe<PodCallResult> deleted = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.DeletePod(a.podName(), deleted.ref()));
    assertInstanceOf(PodCallResult.Succeeded.class, deleted.receiveMessage(WAIT));
    assertEquals(new PodCallResult.Succeeded(c.podName(), "created"), forC.receiveMessage(WAIT));

    // Successes 2..5 after the refusal: the limit rises after the 2nd and the 4th.
    List<ServiceSpec> more = List.of(spec("d"), spec("e"), spec("f"), spec("g"));
    TestProbe<PodCallResult> forMore = testKit.createTestProbe();
    more.forEach(s -> gateway.tell(new KubernetesCommand.CreatePod(s, forMore.ref())));
    List<String> done = new ArrayList<>();
    forMore.fishForMessage(Duration.ofSeconds(30), "all created", r -> {
      if (r instanceof PodCallResult.Succeeded s) {
        done.add(s.podName());
      } else {
        assertInstanceOf(PodCallResult.Queued.class, r);
      }
      return done.size() == more.size()
          ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
          : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore();
    });
    assertEquals((double) finalLimit, gauge("tugboat.k8s.admission.limit"));
    assertEquals((double) finalAtQuota, gauge("tugboat.k8s.admission.at-quota"));
    assertEquals(1.0, registry.counter("tugboat.k8s.calls", "kind", "create", "outcome", "quota").count());
    List<ServiceSpec> all = new ArrayList<>(List.of(a, b, c));
    all.addAll(more);
    assertCreatedOnce(all);
    Awaitility.await().atMost(WAIT).until(() -> gauge("tugboat.k8s.admission.queued") == 0.0);
    if (hardCap > 0) {
      assertTrue(kube.peakLivePods() <= hardCap, "peak " + kube.peakLivePods());
    }
  }
}
