package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.k8s.sim.ApiServerCounters;
import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodLogResult;
import dev.tugboat.protocol.kubernetes.PodLookupResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import dev.tugboat.protocol.service.ServiceCommand;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway against the simulated Kubernetes: calls, faults, retries, limits and the informer. */
class KubernetesGatewayIT {
  private static final String NS = "dots";
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
    kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults(NS)
        .withPendingDelay(Duration.ofMillis(50))
        .withModelRunTime(Duration.ofMillis(300)));
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
    settings = baseSettings("it-" + DEPLOYMENTS.incrementAndGet());
    gateway = testKit.spawn(KubernetesGateway.create(settings, kube.client(), directory, registry));
  }

  @AfterEach
  void stopGateway() {
    testKit.stop(gateway);
    kube.faults().clear();
  }

  static KubernetesSettings baseSettings(String deploymentId) {
    KubernetesSettings s = KubernetesSettings.fromConfig(ConfigFactory.parseString(
        "tugboat.kubernetes.deployment-id = " + deploymentId).withFallback(ConfigFactory.defaultReference()).resolve());
    return s.withRetry(new KubernetesSettings.Retry(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(10)));
  }

  private ServiceSpec spec(String simulation, String model, String image, EnvVar... env) {
    return new ServiceSpec("so-" + settings.deploymentId(), simulation, model, image, List.of(env), 24.0,
        dev.tugboat.protocol.PodNames.podName("so-" + settings.deploymentId(), simulation, model));
  }

  private PodCallResult create(ServiceSpec spec, Duration max) {
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreatePod(spec, reply.ref()));
    return reply.receiveMessage(max);
  }

  private PodCallResult delete(String podName) {
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.DeletePod(podName, reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(10));
  }

  private PodLookupResult lookup(String podName) {
    TestProbe<PodLookupResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.LookupPod(podName, reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(3));
  }

  private PodSnapshot awaitObserved(String podName, ContainerState state) {
    List<PodSnapshot> seen = new ArrayList<>();
    directory.services.fishForMessage(Duration.ofSeconds(10), "pod " + podName + " in state " + state, m -> {
      if (m instanceof ServiceCommand.PodObserved o && o.pod().podName().equals(podName)) {
        if (o.pod().container() == state) {
          seen.add(o.pod());
          return FishingOutcomes.complete();
        }
      }
      return FishingOutcomes.continueAndIgnore();
    });
    return seen.get(0);
  }

  @Test
  void createObserveLookupLogAndDelete() {
    ServiceSpec spec = spec("sim-a", "m0", "busybox:latest", new EnvVar("FAKE_MODEL_RUN_SECONDS", "0.4"));
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "created"), create(spec, Duration.ofSeconds(10)));

    PodSnapshot pending = awaitObserved(spec.podName(), ContainerState.WAITING);
    assertEquals("Pending", pending.phase());
    assertEquals(spec.serviceId(), pending.serviceId());
    assertEquals("ContainerCreating", pending.reason());
    PodSnapshot running = awaitObserved(spec.podName(), ContainerState.RUNNING);
    assertEquals("Running", running.phase());
    PodSnapshot done = awaitObserved(spec.podName(), ContainerState.TERMINATED);
    assertEquals("Succeeded", done.phase());
    assertEquals(0, done.exitCode());
    assertEquals("Completed", done.reason());

    PodLookupResult found = lookup(spec.podName());
    assertEquals(0, assertInstanceOf(PodLookupResult.Present.class, found).pod().exitCode());

    TestProbe<PodLogResult> logReply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.ReadPodLog(spec.podName(), 30, logReply.ref()));
    PodLogResult log = logReply.receiveMessage(Duration.ofSeconds(5));
    List<String> lines = assertInstanceOf(PodLogResult.Lines.class, log).lines();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("Started busybox:latest")), lines::toString);
    assertEquals("Container exited with code 0", lines.get(lines.size() - 1));

    assertEquals(new PodCallResult.Succeeded(spec.podName(), "deleted"), delete(spec.podName()));
    directory.services.fishForMessage(Duration.ofSeconds(10), "PodGone", m ->
        m instanceof ServiceCommand.PodGone d && d.podName().equals(spec.podName())
            && d.lastKnown().serviceId().equals(spec.serviceId())
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    assertEquals(new PodLookupResult.Absent(spec.podName()), lookup(spec.podName()));

    assertEquals(1.0, registry.counter("tugboat.k8s.calls", "kind", "create", "outcome", "ok").count());
    assertEquals(1.0, registry.counter("tugboat.k8s.calls", "kind", "delete", "outcome", "ok").count());
  }

  @Test
  void deletingAMissingPodSucceedsAndItsLogIsUnavailable() {
    assertEquals(new PodCallResult.Succeeded("no-such-pod", "already gone"), delete("no-such-pod"));
    TestProbe<PodLogResult> logReply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.ReadPodLog("no-such-pod", 30, logReply.ref()));
    PodLogResult log = logReply.receiveMessage(Duration.ofSeconds(5));
    String reason = assertInstanceOf(PodLogResult.Unavailable.class, log).reason();
    assertTrue(reason.contains("404"), reason);
  }

  @Test
  void aLogReadIsOneRequestWithoutAListOrAWatch() {
    ServiceSpec spec = spec("sim-log1", "m0", "fake_model:latest", new EnvVar("EXIT_CODE", "1"));
    assertInstanceOf(PodCallResult.Succeeded.class, create(spec, Duration.ofSeconds(5)));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
      Pod p = kube.client().pods().inNamespace(NS).withName(spec.podName()).get();
      return p != null && "Failed".equals(p.getStatus().getPhase());
    });
    int logs = kube.counters().requests(ApiServerCounters.Kind.LOG);
    int lists = kube.counters().requests(ApiServerCounters.Kind.LIST);
    int watches = kube.counters().requests(ApiServerCounters.Kind.WATCH);
    TestProbe<PodLogResult> logReply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.ReadPodLog(spec.podName(), 30, logReply.ref()));
    List<String> lines = assertInstanceOf(PodLogResult.Lines.class, logReply.receiveMessage(Duration.ofSeconds(5))).lines();
    assertTrue(lines.contains("Model booting..."), lines::toString);
    assertEquals(logs + 1, kube.counters().requests(ApiServerCounters.Kind.LOG));
    assertEquals(lists, kube.counters().requests(ApiServerCounters.Kind.LIST));
    assertEquals(watches, kube.counters().requests(ApiServerCounters.Kind.WATCH));
  }

  @Test
  void tooManyRequestsWaitsForRetryAfterThenSucceeds() {
    ServiceSpec spec = spec("sim-429", "m0", "busybox");
    kube.faults().inject429(1, 1);
    long start = System.nanoTime();
    assertInstanceOf(PodCallResult.Succeeded.class, create(spec, Duration.ofSeconds(10)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(Duration.ofSeconds(1)) >= 0, "took " + took);
    assertEquals(2, kube.counters().createAttempts(spec.podName()));
    assertEquals(1, kube.counters().creates(spec.podName()));
    assertEquals(1.0, registry.counter("tugboat.k8s.calls", "kind", "create", "outcome", "retry").count());
  }

  @Test
  void serverErrorsAreRetriedAndEveryPodIsCreatedOnce() {
    kube.faults().errorRate(0.5);
    List<ServiceSpec> specs = new ArrayList<>();
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    for (int i = 0; i < 20; i++) {
      ServiceSpec s = spec("sim-500", "m" + i, "busybox");
      specs.add(s);
      gateway.tell(new KubernetesCommand.CreatePod(s, reply.ref()));
    }
    List<PodCallResult> results = reply.receiveSeveralMessages(20, Duration.ofSeconds(20));
    assertTrue(results.stream().allMatch(r -> r instanceof PodCallResult.Succeeded), results::toString);
    specs.forEach(s -> assertEquals(1, kube.counters().creates(s.podName()), s.podName()));
  }

  @Test
  void concurrencyStaysWithinTheBoundUnderSlowResponses() {
    kube.counters().reset();
    testKit.stop(gateway);
    settings = settings.withLimits(4, 0, 50);
    gateway = testKit.spawn(KubernetesGateway.create(settings, kube.client(), directory, registry));
    kube.faults().latency(Duration.ofMillis(150));
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    List<ServiceSpec> specs = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      ServiceSpec s = spec("sim-slow", "m" + i, "busybox");
      specs.add(s);
      gateway.tell(new KubernetesCommand.CreatePod(s, reply.ref()));
    }
    List<PodCallResult> results = reply.receiveSeveralMessages(24, Duration.ofSeconds(20));
    assertTrue(results.stream().allMatch(r -> r instanceof PodCallResult.Succeeded), results::toString);
    specs.forEach(s -> assertEquals(1, kube.counters().creates(s.podName()), s.podName()));
    int max = kube.counters().maxConcurrentRequests();
    assertTrue(max >= 2 && max <= 4, "max concurrent requests " + max);
  }

  @Test
  void callsOnOnePodRunOneAtATimeInOrder() {
    kube.faults().latency(Duration.ofMillis(100));
    ServiceSpec spec = spec("sim-order", "m0", "busybox");
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreatePod(spec, reply.ref()));
    gateway.tell(new KubernetesCommand.DeletePod(spec.podName(), reply.ref()));
    gateway.tell(new KubernetesCommand.CreatePod(spec, reply.ref()));
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "created"), reply.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "deleted"), reply.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "created"), reply.receiveMessage(Duration.ofSeconds(5)));
  }

  @Test
  void aCreateOrDeleteAskedAgainWhileQueuedJoinsTheQueuedCallInsteadOfAddingOne() {
    // One call at a time, each answered after 300 ms: the repeats arrive while the first is queued.
    testKit.stop(gateway);
    settings = settings.withLimits(1, 0, 50);
    gateway = testKit.spawn(KubernetesGateway.create(settings, kube.client(), directory, registry));
    kube.faults().latency(Duration.ofMillis(300));
    ServiceSpec busy = spec("sim-join", "busy", "busybox");
    ServiceSpec spec = spec("sim-join", "m0", "busybox");
    TestProbe<PodCallResult> first = testKit.createTestProbe();
    TestProbe<PodCallResult> again = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreatePod(busy, first.ref()));
    gateway.tell(new KubernetesCommand.CreatePod(spec, first.ref()));
    gateway.tell(new KubernetesCommand.CreatePod(spec, again.ref()));
    gateway.tell(new KubernetesCommand.CreatePod(spec, again.ref()));
    assertEquals(new PodCallResult.Succeeded(busy.podName(), "created"), first.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "created"), first.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(List.of(new PodCallResult.Succeeded(spec.podName(), "created"),
        new PodCallResult.Succeeded(spec.podName(), "created")), again.receiveSeveralMessages(2, Duration.ofSeconds(5)));
    // One request reached the server, not three (the repeats would have been 409s and GETs).
    assertEquals(1, kube.counters().createAttempts(spec.podName()));

    int deletes = kube.counters().requests(ApiServerCounters.Kind.DELETE);
    gateway.tell(new KubernetesCommand.DeletePod(busy.podName(), first.ref()));
    gateway.tell(new KubernetesCommand.DeletePod(spec.podName(), first.ref()));
    gateway.tell(new KubernetesCommand.DeletePod(spec.podName(), again.ref()));
    assertEquals(new PodCallResult.Succeeded(busy.podName(), "deleted"), first.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "deleted"), first.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "deleted"), again.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(deletes + 2, kube.counters().requests(ApiServerCounters.Kind.DELETE));
  }

  @Test
  void aCreateAskedAfterADeleteNeverJoinsTheCreateBeforeIt() {
    oneSlowCallAtATime();
    ServiceSpec spec = spec("sim-nojoin", "m0", "busybox");
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreatePod(spec, reply.ref()));
    gateway.tell(new KubernetesCommand.DeletePod(spec.podName(), reply.ref()));
    gateway.tell(new KubernetesCommand.CreatePod(spec, reply.ref()));
    gateway.tell(new KubernetesCommand.DeletePod(spec.podName(), reply.ref()));
    assertEquals(List.of(new PodCallResult.Succeeded(spec.podName(), "created"),
            new PodCallResult.Succeeded(spec.podName(), "deleted"),
            new PodCallResult.Succeeded(spec.podName(), "created"),
            new PodCallResult.Succeeded(spec.podName(), "deleted")),
        reply.receiveSeveralMessages(4, Duration.ofSeconds(10)));
    assertEquals(2, kube.counters().creates(spec.podName()));
  }

  /** A new gateway with a single call slot, and 200 ms per call: what is asked meanwhile queues. */
  private void oneSlowCallAtATime() {
    testKit.stop(gateway);
    settings = settings.withLimits(1, 0, 50);
    gateway = testKit.spawn(KubernetesGateway.create(settings, kube.client(), directory, registry));
    kube.faults().latency(Duration.ofMillis(200));
  }

  @Test
  void deletesAndLogReadsGoAheadOfQueuedCreates() {
    ServiceSpec existing = spec("sim-prio", "old", "busybox");
    assertInstanceOf(PodCallResult.Succeeded.class, create(existing, Duration.ofSeconds(5)));
    oneSlowCallAtATime();
    TestProbe<Object> replies = testKit.createTestProbe();
    List<ServiceSpec> creates = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ServiceSpec s = spec("sim-prio", "m" + i, "busybox");
      creates.add(s);
      gateway.tell(new KubernetesCommand.CreatePod(s, replies.ref().narrow()));
    }
    gateway.tell(new KubernetesCommand.ReadPodLog(existing.podName(), 5, replies.ref().narrow()));
    gateway.tell(new KubernetesCommand.DeletePod(existing.podName(), replies.ref().narrow()));
    List<Object> got = replies.receiveSeveralMessages(5, Duration.ofSeconds(10));
    // m0 was already running when the others were asked; the log read and the delete overtake m1, m2.
    assertEquals(new PodCallResult.Succeeded(creates.get(0).podName(), "created"), got.get(0));
    assertInstanceOf(PodLogResult.class, got.get(1));
    assertEquals(new PodCallResult.Succeeded(existing.podName(), "deleted"), got.get(2));
    assertEquals(List.of(new PodCallResult.Succeeded(creates.get(1).podName(), "created"),
        new PodCallResult.Succeeded(creates.get(2).podName(), "created")), got.subList(3, 5));
  }

  @Test
  void logReadsGoAheadOfQueuedDeletes() {
    ServiceSpec ended = spec("sim-logprio", "ended", "busybox");
    ServiceSpec deleting = spec("sim-logprio", "deleting", "busybox");
    ServiceSpec running = spec("sim-logprio", "running", "busybox");
    for (ServiceSpec s : List.of(ended, deleting, running)) {
      assertInstanceOf(PodCallResult.Succeeded.class, create(s, Duration.ofSeconds(5)));
    }
    oneSlowCallAtATime();
    TestProbe<Object> replies = testKit.createTestProbe();
    // The first delete occupies the single call slot; a second delete, then a log read of another
    // pod, are asked while it runs: the log read (a termination report waits for it) starts first.
    gateway.tell(new KubernetesCommand.DeletePod(running.podName(), replies.ref().narrow()));
    gateway.tell(new KubernetesCommand.DeletePod(deleting.podName(), replies.ref().narrow()));
    gateway.tell(new KubernetesCommand.ReadPodLog(ended.podName(), 5, replies.ref().narrow()));
    List<Object> got = replies.receiveSeveralMessages(3, Duration.ofSeconds(10));
    assertEquals(new PodCallResult.Succeeded(running.podName(), "deleted"), got.get(0));
    PodLogResult log = assertInstanceOf(PodLogResult.class, got.get(1));
    assertEquals(ended.podName(), log instanceof PodLogResult.Lines l ? l.podName()
        : ((PodLogResult.Unavailable) log).podName());
    assertEquals(new PodCallResult.Succeeded(deleting.podName(), "deleted"), got.get(2));
  }

  @Test
  void deletesKeepTheirOwnPaceAtTheServerWhileOtherCallsGoAhead() {
    testKit.stop(gateway);
    // 10 deletes a second, 2 saved up: 30 deletes take at least 2.8 s; unpaced they take a few ms.
    settings = settings.withDeletePace(new KubernetesSettings.DeletePace(10, 2));
    gateway = testKit.spawn(KubernetesGateway.create(settings, kube.client(), directory, registry));
    List<ServiceSpec> pods = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ServiceSpec s = spec("sim-pace", "m" + i, "busybox");
      pods.add(s);
      assertInstanceOf(PodCallResult.Succeeded.class, create(s, Duration.ofSeconds(5)));
    }
    ServiceSpec kept = spec("sim-pace", "kept", "busybox");
    assertInstanceOf(PodCallResult.Succeeded.class, create(kept, Duration.ofSeconds(5)));
    kube.counters().reset();
    TestProbe<Object> replies = testKit.createTestProbe();
    long asked = System.nanoTime();
    pods.forEach(s -> gateway.tell(new KubernetesCommand.DeletePod(s.podName(), replies.ref().narrow())));
    ServiceSpec late = spec("sim-pace", "late", "busybox");
    gateway.tell(new KubernetesCommand.CreatePod(late, replies.ref().narrow()));
    gateway.tell(new KubernetesCommand.ReadPodLog(kept.podName(), 5, replies.ref().narrow()));
    List<Object> got = replies.receiveSeveralMessages(32, Duration.ofSeconds(15));
    Duration took = Duration.ofNanos(System.nanoTime() - asked);

    List<Object> deletes = got.stream().filter(r -> r instanceof PodCallResult.Succeeded s
        && !s.podName().equals(late.podName())).toList();
    assertEquals(30, deletes.size(), got::toString);
    // The create and the log read, asked after all 30 deletes, did not wait for them.
    int createAt = got.indexOf(new PodCallResult.Succeeded(late.podName(), "created"));
    int logAt = java.util.stream.IntStream.range(0, got.size()).filter(i -> got.get(i) instanceof PodLogResult)
        .findFirst().orElse(-1);
    assertTrue(createAt >= 0 && createAt < 10 && logAt >= 0 && logAt < 10,
        "create answered as reply " + createAt + ", log read as reply " + logAt + " of 32: " + got);
    assertTrue(took.toMillis() >= 2_700, "30 deletes at 10/s with a burst of 2 took only " + took.toMillis() + " ms");
    int busiest = kube.counters().maxRequestsInOneSecond(ApiServerCounters.Kind.DELETE);
    // At most qps + burst, and one more for a token whose delete reached the server a little late
    // (a slow machine may spread them wider, never narrower).
    assertTrue(busiest >= 3 && busiest <= 13, "deletes in the busiest second at the server: " + busiest);
    assertEquals(30, kube.counters().requests(ApiServerCounters.Kind.DELETE));
  }

  @Test
  void conflictWithTheSameServiceIsSuccessAndWithAnotherIsFailure() {
    ServiceSpec spec = spec("sim-409", "m0", "busybox");
    Pod pod = new PodFactory(settings).podFor(spec);
    kube.client().pods().inNamespace(NS).resource(pod).create();
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "already existed"), create(spec, Duration.ofSeconds(5)));
    assertEquals(1, kube.counters().creates(spec.podName()));

    ServiceSpec other = new ServiceSpec(spec.simulatorId(), "sim-409-other", "m9", "busybox", List.of(), 24.0, "collide-409");
    ServiceSpec mine = new ServiceSpec(spec.simulatorId(), "sim-409-mine", "m1", "busybox", List.of(), 24.0, "collide-409");
    kube.client().pods().inNamespace(NS).resource(new PodFactory(settings).podFor(other)).create();
    PodCallResult r = create(mine, Duration.ofSeconds(5));
    PodCallResult.Failed f = assertInstanceOf(PodCallResult.Failed.class, r);
    assertEquals(409, f.httpStatus());
    assertTrue(f.reason().startsWith("pod name collision with") && f.reason().contains("sim-409-other")
        && f.reason().contains("m9"), f.reason());
  }

  @Test
  void persistentFailureGivesUpWithFailed() {
    testKit.stop(gateway);
    settings = settings.withRetry(new KubernetesSettings.Retry(Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofMillis(600)));
    gateway = testKit.spawn(KubernetesGateway.create(settings, kube.client(), directory, registry));
    kube.faults().errorRate(1.0);
    ServiceSpec spec = spec("sim-down", "m0", "busybox");
    PodCallResult r = create(spec, Duration.ofSeconds(5));
    PodCallResult.Failed f = assertInstanceOf(PodCallResult.Failed.class, r);
    assertEquals(500, f.httpStatus());
    assertTrue(f.reason().startsWith("gave up after"), f.reason());
    assertEquals(0, kube.counters().creates(spec.podName()));
    assertEquals(1.0, registry.counter("tugboat.k8s.calls", "kind", "create", "outcome", "failed").count());
  }

  @Test
  void lookupOfAnUnknownPodIsAbsentOnceSynced() {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
        lookup("nobody-here") instanceof PodLookupResult.Absent);
  }

  @Test
  void countsCallsAtTheServerByKind() {
    int before = kube.counters().requests(ApiServerCounters.Kind.CREATE);
    create(spec("sim-count", "m0", "busybox"), Duration.ofSeconds(5));
    assertTrue(kube.counters().requests(ApiServerCounters.Kind.CREATE) >= before + 1);
  }
}
