package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.HostedEvent.DeletionStarted;
import dev.tugboat.persistence.HostedEvent.HostedCreated;
import dev.tugboat.persistence.HostedEvent.HostedDeleted;
import dev.tugboat.persistence.HostedEvent.PodRemoved;
import dev.tugboat.persistence.HostedEvent.ReplicaFailed;
import dev.tugboat.persistence.HostedEvent.ReplicaObserved;
import dev.tugboat.persistence.HostedEvent.ReplicaRemoved;
import dev.tugboat.persistence.HostedEvent.ReplicaStarted;
import dev.tugboat.persistence.HostedEvent.RestartFinished;
import dev.tugboat.persistence.HostedEvent.RestartStarted;
import dev.tugboat.persistence.HostedEvent.Scaled;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.hosted.Access;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.hosted.HostedEndpoint;
import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.hosted.HostedPodNames;
import dev.tugboat.protocol.hosted.HostedReply;
import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.HostedStatus;
import dev.tugboat.protocol.hosted.HostedView;
import dev.tugboat.protocol.hosted.PublishedPort;
import dev.tugboat.protocol.hosted.Replicas;
import dev.tugboat.protocol.hosted.Resources;
import dev.tugboat.protocol.kubernetes.HostedPods;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostedServiceEntityTest {

  static final dev.tugboat.protocol.Sealer SEALER = new dev.tugboat.protocol.Sealer(
      dev.tugboat.protocol.SecretEnvNames.DEFAULT, dev.tugboat.protocol.SecretKey.generate());
  private static ActorTestKit testKit;
  private static int counter;

  private MutableClock clock;
  private TestProbe<KubernetesCommand> gateway;
  private TestProbe<ClusterSharding.ShardCommand> shard;
  private RecordingPublisher publisher;
  private String name;
  private HostedSpec spec;
  private EventSourcedBehaviorTestKit<HostedCommand, HostedEvent, HostedState> kit;

  /** Remembers what the entity published, in order. */
  static final class RecordingPublisher implements HostedPublisher {
    final List<Object> published = new CopyOnWriteArrayList<>();

    @Override
    public void publish(HostedEndpoint endpoint) {
      published.add(endpoint);
    }

    @Override
    public void remove(String name) {
      published.add("removed " + name);
    }

    Object last() {
      return published.get(published.size() - 1);
    }

    List<HostedEndpoint.ReadyReplica> lastReady() {
      return assertInstanceOf(HostedEndpoint.class, last()).ready();
    }
  }

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("HostedServiceEntityTest", TestSupport.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static HostedSettings settings(MutableClock clock) {
    return new HostedSettings(Duration.ofHours(1), Duration.ofSeconds(30),
        new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(4), 3, Duration.ofSeconds(60)),
        4, Duration.ofSeconds(5), Duration.ofSeconds(30), 5, Duration.ofMinutes(2), clock);
  }

  static HostedSpec spec(String name, int min, int max) {
    return new HostedSpec(name, "tugboat/echo-service:1", List.of(new EnvVar("A", "1")), List.of("--verbose"),
        new Resources("100m", "64Mi", "1", "128Mi"),
        List.of(new PublishedPort(8080, Access.PRIVATE, "web", "/"), new PublishedPort(9000, Access.PUBLIC, "", "/x")),
        new Replicas(min, max), Duration.ofMinutes(10), "alice");
  }

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    gateway = testKit.createTestProbe(KubernetesCommand.class);
    shard = testKit.createTestProbe(ClusterSharding.ShardCommand.class);
    publisher = new RecordingPublisher();
    name = "svc" + (++counter);
    spec = spec(name, 2, 4);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        HostedServiceEntity.create(name, gateway.ref(), publisher, settings(clock), SEALER, shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  // ---- helpers ----

  private CommandResultWithReply<HostedCommand, HostedEvent, HostedState, CommandReply> create(HostedSpec s) {
    return kit.<CommandReply>runCommand(replyTo -> new HostedCommand.Create(s, replyTo));
  }

  private List<HostedEvent> created() {
    var result = create(spec);
    assertInstanceOf(CommandReply.Accepted.class, result.reply());
    return result.events();
  }

  /** The next gateway messages of {@code type}, skipping the others (pod lists asked by ticks). */
  private <T extends KubernetesCommand> T next(Class<T> type) {
    for (int i = 0; i < 20; i++) {
      KubernetesCommand c = gateway.receiveMessage(Duration.ofSeconds(3));
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    throw new AssertionError("no " + type.getSimpleName());
  }

  private List<String> creates(int n) {
    List<String> pods = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      var c = next(KubernetesCommand.CreateHostedPod.class);
      pods.add(HostedPodNames.podName(c.spec().name(), c.slot(), c.generation()));
    }
    return pods;
  }

  private String deleted() {
    return next(KubernetesCommand.DeletePod.class).podName();
  }

  static HostedPod pod(String service, int slot, long gen, ContainerState state, boolean ready, Integer exit) {
    return new HostedPod(HostedPodNames.podName(service, slot, gen), service, slot, gen,
        state == ContainerState.RUNNING ? "Running" : state == ContainerState.TERMINATED ? "Failed" : "Pending",
        state, state == ContainerState.WAITING ? "ContainerCreating" : null, null, ready,
        state == ContainerState.RUNNING ? "127.0.0." + (10 + slot) : null, exit, false);
  }

  private List<HostedEvent> observe(HostedPod p) {
    return kit.runCommand(new HostedCommand.PodObserved(p)).events();
  }

  private HostedView view() {
    HostedReply reply = kit.<HostedReply>runCommand(HostedCommand.Get::new).reply();
    return assertInstanceOf(HostedReply.Found.class, reply).service();
  }

  private <E extends HostedEvent> E only(Class<E> type, List<HostedEvent> events) {
    assertEquals(1, events.size(), events.toString());
    return assertInstanceOf(type, events.get(0));
  }

  private CommandReply reply(java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<CommandReply>,
      HostedCommand> command) {
    return kit.<CommandReply>runCommand(command).reply();
  }

  private List<HostedEvent> tick() {
    return kit.runCommand(HostedServiceEntity.Tick.INSTANCE).events();
  }

  private void running(int slot, long gen) {
    observe(pod(name, slot, gen, ContainerState.RUNNING, true, null));
  }

  // ---- creation and its rejections ----

  @Test
  void createPersistsTheServiceAndItsMinReplicasAndAsksForTheirPods() {
    List<HostedEvent> events = created();
    assertEquals(3, events.size());
    assertInstanceOf(HostedCreated.class, events.get(0));
    assertTrue(events.subList(1, 3).stream().allMatch(e -> e instanceof ReplicaStarted s && s.generation() == 0));
    assertEquals(java.util.Set.of("hs-" + name + "-0-g0", "hs-" + name + "-1-g0"), java.util.Set.copyOf(creates(2)));
    assertInstanceOf(HostedState.Active.class, kit.getState());
    HostedView v = view();
    assertEquals(HostedStatus.PENDING, v.status());
    assertEquals(2, v.desiredReplicas());
    assertTrue(publisher.lastReady().isEmpty());
  }

  @Test
  void theSameSpecAgainIsADuplicateAndAnotherSpecAConflict() {
    created();
    assertInstanceOf(CommandReply.Duplicate.class, create(spec).reply());
    var other = create(spec.withOwner("bob"));
    assertInstanceOf(CommandReply.Conflict.class, other.reply());
    assertTrue(other.hasNoEvents());
  }

  @Test
  void anInvalidSpecOrOneOfAnotherNameIsRejectedWithoutEvents() {
    var invalid = create(spec(name, 0, 9));
    String reason = assertInstanceOf(CommandReply.Rejected.class, invalid.reply()).reason();
    assertTrue(reason.contains("replicas.min 0") && reason.contains("cap of 5"), reason);
    assertTrue(invalid.hasNoEvents());
    assertInstanceOf(CommandReply.Rejected.class, create(spec("another", 1, 1)).reply());
    assertInstanceOf(HostedState.Empty.class, kit.getState());
  }

  @Test
  void withoutAServiceGetIsNotFoundAndDeleteAndRestartAreRejected() {
    assertInstanceOf(HostedReply.NotFound.class, kit.<HostedReply>runCommand(HostedCommand.Get::new).reply());
    assertInstanceOf(CommandReply.Rejected.class, reply(HostedCommand.Delete::new));
    assertInstanceOf(CommandReply.Rejected.class, reply(HostedCommand.Restart::new));
  }

  // ---- following the pods ----

  @Test
  void readyPodsJoinTheRotationAndTheStatusIsTheLowestReplicas() {
    created();
    creates(2);
    only(ReplicaObserved.class, observe(pod(name, 0, 0, ContainerState.WAITING, false, null)));
    assertEquals(HostedStatus.PENDING, view().status(), "replica 1 not seen yet");
    running(0, 0);
    assertEquals(List.of("127.0.0.10"), publisher.lastReady().stream().map(HostedEndpoint.ReadyReplica::host).toList());
    observe(pod(name, 1, 0, ContainerState.WAITING, false, null));
    assertEquals(HostedStatus.STARTING, view().status());
    running(1, 0);
    assertEquals(HostedStatus.RUNNING, view().status());
    assertEquals(2, publisher.lastReady().size());
    assertTrue(observe(pod(name, 1, 0, ContainerState.RUNNING, true, null)).isEmpty(), "nothing changed");
  }

  @Test
  void aFailedReplicaIsReplacedAfterTheBackoffAndMarkedFailedAfterTooManyFailures() {
    created();
    creates(2);
    running(0, 0);
    ReplicaFailed first = only(ReplicaFailed.class, observe(pod(name, 0, 0, ContainerState.TERMINATED, false, 1)));
    assertEquals(1, first.failuresInRow());
    assertEquals(clock.instant().plusSeconds(1), first.replaceAt());
    assertTrue(first.reason().contains("exited with code 1"), first.reason());
    assertEquals("hs-" + name + "-0-g0", deleted());
    assertTrue(publisher.lastReady().isEmpty());
    assertTrue(tick().isEmpty(), "the backoff is not over");
    long gen = 0;
    for (int failure = 1; failure <= 3; failure++) {
      clock.advance(Duration.ofSeconds(4));
      only(ReplicaStarted.class, tick());
      gen++;
      assertEquals(List.of("hs-" + name + "-0-g" + gen), creates(1));
      ReplicaFailed f = only(ReplicaFailed.class, observe(pod(name, 0, gen, ContainerState.TERMINATED, false, 2)));
      assertEquals(failure + 1, f.failuresInRow());
      assertEquals(failure == 3, f.replaceAt() == null);
    }
    HostedView v = view();
    assertEquals(HostedStatus.FAILED, v.status());
    assertEquals(3, v.replicas().get(0).restarts());
    clock.advance(Duration.ofMinutes(5));
    assertTrue(tick().isEmpty(), "given up: no replacement");
  }

  /** A replica stuck on an image it cannot pull fails after image-pull-grace (2 min) and is replaced. */
  @Test
  void aReplicaThatCannotPullItsImageFailsAfterTheGraceAndIsReplaced() {
    created();
    creates(2);
    HostedPod pulling = new HostedPod(HostedPodNames.podName(name, 0, 0), name, 0, 0, "Pending", ContainerState.WAITING,
        "ErrImagePull", "pull access denied", false, null, null, false);
    HostedPod backOff = new HostedPod(pulling.podName(), name, 0, 0, "Pending", ContainerState.WAITING,
        "ImagePullBackOff", "Back-off pulling image", false, null, null, false);
    HostedPod other = pod(name, 1, 0, ContainerState.RUNNING, true, null);
    observe(other);
    assertEquals(HostedStatus.PULLING, only(ReplicaObserved.class, observe(pulling)).status());
    clock.advance(Duration.ofSeconds(119));
    assertTrue(observe(backOff).isEmpty(), "within the grace: still pulling");
    clock.advance(Duration.ofSeconds(1));
    var listed = kit.runCommand(new HostedServiceEntity.PodsListed(new HostedPods(true, List.of(backOff, other)))).events();
    ReplicaFailed f = only(ReplicaFailed.class, listed);
    String reason = "image tugboat/echo-service:1 could not be pulled: ErrImagePull: pull access denied";
    assertEquals(reason, f.reason());
    assertEquals(pulling.podName(), deleted());
    assertEquals(reason, view().replicas().get(0).failure(), "the view says which image and why");
    clock.advance(Duration.ofSeconds(1));
    only(ReplicaStarted.class, tick());
    assertEquals(List.of("hs-" + name + "-0-g1"), creates(1));
  }

  @Test
  void aReplicaThatRanLongEnoughStartsItsFailureCountAfresh() {
    created();
    creates(2);
    running(0, 0);
    observe(pod(name, 0, 0, ContainerState.TERMINATED, false, 1));
    clock.advance(Duration.ofSeconds(1));
    only(ReplicaStarted.class, tick());
    running(0, 1);
    clock.advance(Duration.ofMinutes(2));
    assertEquals(1, only(ReplicaFailed.class, observe(pod(name, 0, 1, ContainerState.TERMINATED, false, 1)))
        .failuresInRow());
  }

  @Test
  void aPodDeletedByOthersOrNeverCreatableCountsAsAFailure() throws InterruptedException {
    created();
    var asks = new ArrayList<KubernetesCommand.CreateHostedPod>();
    asks.add(next(KubernetesCommand.CreateHostedPod.class));
    asks.add(next(KubernetesCommand.CreateHostedPod.class));
    running(0, 0);
    only(ReplicaFailed.class,
        kit.runCommand(new HostedCommand.PodGone(pod(name, 0, 0, ContainerState.RUNNING, true, null))).events());
    var slot1 = asks.stream().filter(a -> a.slot() == 1).findFirst().orElseThrow();
    slot1.replyTo().tell(new PodCallResult.Failed("hs-" + name + "-1-g0", 422, "invalid"));
    // The answer comes through the entity's adapter: wait until the entity has handled it.
    String failure = Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> view().replicas().get(1).failure(), f -> f != null);
    assertTrue(failure.contains("could not be created"), failure);
  }

  /**
   * The gateway made the pod, could not write its Secret and failed the create: the replica fails
   * though its pod was seen waiting for that Secret, its pod is deleted, and it is replaced after
   * the backoff.
   */
  @Test
  void aCreateFailedAfterThePodWasSeenFailsTheReplicaAndReplacesIt() throws InterruptedException {
    created();
    var asks = new ArrayList<KubernetesCommand.CreateHostedPod>();
    asks.add(next(KubernetesCommand.CreateHostedPod.class));
    asks.add(next(KubernetesCommand.CreateHostedPod.class));
    HostedPod waiting = new HostedPod(HostedPodNames.podName(name, 0, 0), name, 0, 0, "Pending",
        ContainerState.WAITING, "CreateContainerConfigError", "secret \"" + HostedPodNames.podName(name, 0, 0)
        + "\" not found", false, null, null, false);
    only(ReplicaObserved.class, observe(waiting));
    var slot0 = asks.stream().filter(a -> a.slot() == 0).findFirst().orElseThrow();
    slot0.replyTo().tell(new PodCallResult.Failed(waiting.podName(), 403,
        "the pod's Secret could not be written (secrets is forbidden); its pod was deleted"));
    String failure = Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> view().replicas().get(0).failure(), f -> f != null);
    assertTrue(failure.contains("could not be created") && failure.contains("HTTP 403"), failure);
    assertEquals(waiting.podName(), deleted());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(1, only(ReplicaStarted.class, tick()).generation());
    var again = next(KubernetesCommand.CreateHostedPod.class);
    assertEquals(List.of(0, 1L), List.of(again.slot(), again.generation()));
  }

  /** A ready replica runs with its Secret: a late failure of its create leaves it alone. */
  @Test
  void aLateFailedCreateOfAReadyReplicaChangesNothing() {
    created();
    var slot0 = next(KubernetesCommand.CreateHostedPod.class);
    if (slot0.slot() != 0) {
      slot0 = next(KubernetesCommand.CreateHostedPod.class);
    }
    running(0, 0);
    // Through the entity's adapter, into its mailbox ahead of the Get.
    slot0.replyTo().tell(new PodCallResult.Failed(HostedPodNames.podName(name, 0, 0), 500, "gave up"));
    assertEquals(null, view().replicas().get(0).failure());
    assertTrue(view().replicas().get(0).ready());
  }

  @Test
  void aPodThatIsNoCurrentReplicaIsDeleted() {
    created();
    creates(2);
    assertTrue(observe(pod(name, 7, 0, ContainerState.RUNNING, true, null)).isEmpty());
    assertEquals("hs-" + name + "-7-g0", deleted());
  }

  @Test
  void theTickAsksForAPodNeverSeenAgainAndFailsOneThatVanished() {
    created();
    creates(2);
    running(0, 0);
    tick();
    next(KubernetesCommand.ListHostedPods.class);
    clock.advance(Duration.ofSeconds(31));
    var listed = kit.runCommand(new HostedServiceEntity.PodsListed(new HostedPods(true, List.of())));
    assertEquals(0, only(ReplicaFailed.class, listed.events()).slot());
    assertEquals(List.of("hs-" + name + "-1-g0"), creates(1));
    assertTrue(kit.runCommand(new HostedServiceEntity.PodsListed(new HostedPods(false, List.of()))).events().isEmpty(),
        "an unsynced list says nothing");
  }

  // ---- restart ----

  @Test
  void restartReplacesTheReplicasOneAtATime() {
    created();
    creates(2);
    running(0, 0);
    running(1, 0);
    var restart = kit.<CommandReply>runCommand(HostedCommand.Restart::new);
    assertInstanceOf(CommandReply.Accepted.class, restart.reply());
    assertEquals(2, restart.events().size());
    assertInstanceOf(RestartStarted.class, restart.events().get(0));
    ReplicaStarted s0 = assertInstanceOf(ReplicaStarted.class, restart.events().get(1));
    assertEquals(List.of(0, 1L), List.of(s0.slot(), s0.generation()));
    assertEquals(List.of("hs-" + name + "-0-g1"), creates(1));
    assertEquals("hs-" + name + "-0-g0", deleted());
    assertEquals(HostedView.Phase.RESTARTING, view().phase());
    assertInstanceOf(CommandReply.Conflict.class, reply(HostedCommand.Restart::new));
    List<HostedEvent> next = observe(pod(name, 0, 1, ContainerState.RUNNING, true, null));
    assertEquals(2, next.size());
    assertEquals(1, assertInstanceOf(ReplicaStarted.class, next.get(1)).slot());
    assertEquals(List.of("hs-" + name + "-1-g1"), creates(1));
    List<HostedEvent> end = observe(pod(name, 1, 1, ContainerState.RUNNING, true, null));
    assertEquals(2, end.size());
    assertInstanceOf(RestartFinished.class, end.get(1));
    assertEquals(HostedView.Phase.ACTIVE, view().phase());
    assertEquals(HostedStatus.RUNNING, view().status());
  }

  // ---- deletion ----

  @Test
  void deleteRemovesEveryPodThenEndsAndTheNameCanBeUsedAgain() {
    created();
    creates(2);
    running(0, 0);
    var delete = kit.<CommandReply>runCommand(HostedCommand.Delete::new);
    assertInstanceOf(CommandReply.Accepted.class, delete.reply());
    only(DeletionStarted.class, delete.events());
    assertEquals(java.util.Set.of("hs-" + name + "-0-g0", "hs-" + name + "-1-g0"), java.util.Set.of(deleted(), deleted()));
    assertTrue(publisher.lastReady().isEmpty(), "a deleting service has no replica in the rotation");
    assertEquals(HostedView.Phase.DELETING, view().phase());
    assertInstanceOf(CommandReply.Conflict.class, create(spec).reply());
    assertInstanceOf(CommandReply.Conflict.class, reply(HostedCommand.Restart::new));
    assertInstanceOf(CommandReply.Accepted.class, reply(HostedCommand.Delete::new));
    only(PodRemoved.class,
        kit.runCommand(new HostedCommand.PodGone(pod(name, 0, 0, ContainerState.RUNNING, true, null))).events());
    var last = kit.runCommand(new HostedServiceEntity.PodsListed(new HostedPods(true, List.of())));
    assertEquals(2, last.events().size());
    assertInstanceOf(HostedDeleted.class, last.events().get(1));
    assertInstanceOf(HostedState.Empty.class, kit.getState());
    assertEquals("removed " + name, publisher.last());
    shard.expectMessageClass(ClusterSharding.Passivate.class);

    List<HostedEvent> again = created();
    assertTrue(again.stream().skip(1).allMatch(e -> ((ReplicaStarted) e).generation() == 1), again.toString());
    assertEquals(java.util.Set.of("hs-" + name + "-0-g1", "hs-" + name + "-1-g1"), java.util.Set.copyOf(creates(2)));
  }

  // ---- scaling ----

  @Test
  void twoHighReportsAddOneReplicaAndIdlenessScalesBackToMin() {
    created();
    creates(2);
    running(0, 0);
    running(1, 0);
    String p0 = "hs-" + name + "-0-g0";
    String p1 = "hs-" + name + "-1-g0";
    assertTrue(kit.runCommand(new HostedCommand.ReportLoad("n1", Map.of(p0, 5, p1, 4))).events().isEmpty(),
        "one high report is not enough");
    List<HostedEvent> up = kit.runCommand(new HostedCommand.ReportLoad("n2", Map.of(p0, 1))).events();
    assertEquals(2, up.size(), "two nodes: 10 in flight over 2 ready");
    assertEquals(3, assertInstanceOf(Scaled.class, up.get(0)).replicas());
    assertEquals(List.of("hs-" + name + "-2-g0"), creates(1));
    assertEquals(3, view().desiredReplicas());
    kit.runCommand(new HostedCommand.ReportLoad("n2", Map.of(p0, 50)));
    assertTrue(kit.runCommand(new HostedCommand.ReportLoad("n2", Map.of(p0, 50))).events().isEmpty(),
        "not before the new replica is ready");

    clock.advance(Duration.ofMinutes(9));
    assertTrue(tick().isEmpty());
    clock.advance(Duration.ofMinutes(1));
    List<HostedEvent> idle = tick();
    assertEquals(2, idle.size());
    assertEquals(2, assertInstanceOf(Scaled.class, idle.get(0)).replicas());
    assertEquals(2, assertInstanceOf(ReplicaRemoved.class, idle.get(1)).slot());
    assertEquals("hs-" + name + "-2-g0", deleted());
  }

  @Test
  void maxIsNeverPassed() {
    assertInstanceOf(CommandReply.Accepted.class, create(spec(name, 1, 1)).reply());
    creates(1);
    running(0, 0);
    String p0 = "hs-" + name + "-0-g0";
    for (int i = 0; i < 4; i++) {
      assertTrue(kit.runCommand(new HostedCommand.ReportLoad("n1", Map.of(p0, 100))).events().isEmpty());
    }
  }

  // ---- recovery ----

  @Test
  void recoveryRestoresTheStateAndAsksForPodsNotSeenYet() {
    created();
    creates(2);
    running(0, 0);
    kit.restart();
    assertInstanceOf(HostedState.Active.class, kit.getState());
    assertEquals(List.of(true, false), view().replicas().stream().map(HostedView.ReplicaView::ready).toList());
    assertEquals(List.of("hs-" + name + "-1-g0"), creates(1));
  }
}
