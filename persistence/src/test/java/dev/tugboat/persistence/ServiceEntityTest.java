package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.ServiceEvent.HoldReleased;
import dev.tugboat.persistence.ServiceEvent.PodCreated;
import dev.tugboat.persistence.ServiceEvent.PodCreationStarted;
import dev.tugboat.persistence.ServiceEvent.PodDeleted;
import dev.tugboat.persistence.ServiceEvent.PodDeletionAbandoned;
import dev.tugboat.persistence.ServiceEvent.PodRunning;
import dev.tugboat.persistence.ServiceEvent.ServiceFailed;
import dev.tugboat.persistence.ServiceEvent.ServiceHeld;
import dev.tugboat.persistence.ServiceEvent.ServiceRequested;
import dev.tugboat.persistence.ServiceEvent.ServiceTerminated;
import dev.tugboat.persistence.ServiceEvent.SimulationNotified;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodLogResult;
import dev.tugboat.protocol.kubernetes.PodLookupResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceReply;
import dev.tugboat.protocol.service.ServiceView;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceEntityTest {

  private static ActorTestKit testKit;

  private MutableClock clock;
  private ProbeDirectory directory;
  private TestProbe<KubernetesCommand> gateway;
  private TestProbe<ClusterSharding.ShardCommand> shard;
  private ServiceSpec spec;
  private EventSourcedBehaviorTestKit<ServiceCommand, ServiceEvent, ServiceState> kit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("ServiceEntityTest", TestSupport.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    directory = new ProbeDirectory(testKit);
    gateway = testKit.createTestProbe(KubernetesCommand.class);
    shard = testKit.createTestProbe(ClusterSharding.ShardCommand.class);
    spec = specFor(1.0);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        ServiceEntity.create(spec.serviceId(), directory, gateway.ref(), TestSupport.settings(clock), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  /**
   * A service of another simulation whose pod is deleted as soon as it ends. Another id: the
   * entity of setUp's kit must not share its persistence id (two incarnations of one entity).
   */
  private void kitWithoutRetention() {
    spec = null;
    spec = specFor(0);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        ServiceEntity.create(spec.serviceId(), directory, gateway.ref(), TestSupport.settings(clock), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  private ServiceSpec specFor(double keepLogsHours) {
    String sim = spec == null ? "sim-" + UUID.randomUUID().toString().substring(0, 8) : spec.simulationId();
    return ServiceSpec.of("204-asd", sim, new ModelSpec("m0", "registry/model:1", List.of(new EnvVar("A", "1"))),
        keepLogsHours);
  }

  private PodSnapshot pod(PodSnapshot.ContainerState container, Integer exitCode) {
    return new PodSnapshot(spec.podName(), spec.serviceId(), container == PodSnapshot.ContainerState.RUNNING
        ? "Running" : "Pending", container, exitCode, exitCode == null ? null : "Error", null, false);
  }

  private static void await(BooleanSupplier condition) {
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(condition::getAsBoolean);
  }

  private CommandReply create(ServiceSpec s) {
    return kit.<CommandReply>runCommand(r -> new ServiceCommand.Create(s, r)).reply();
  }

  /** Create, and answer the CreatePod with {@code result}; returns the CreatePod. */
  private KubernetesCommand.CreatePod createAnd(PodCallResult result) {
    assertInstanceOf(CommandReply.Accepted.class, create(spec));
    var cp = gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    if (result != null) {
      cp.replyTo().tell(result);
    }
    return cp;
  }

  private void toRunning() {
    createAnd(new PodCallResult.Succeeded(spec.podName(), "created"));
    await(() -> kit.getState() instanceof ServiceState.Created);
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.RUNNING, null)));
    assertInstanceOf(ServiceState.Running.class, kit.getState());
  }

  private ServiceView view() {
    return assertInstanceOf(ServiceReply.Found.class, kit.<ServiceReply>runCommand(ServiceCommand.Get::new).reply())
        .service();
  }

  /** Ticks until the entity (once it has taken the previous answer in) sends DeletePod again. */
  private KubernetesCommand.DeletePod tickUntilDeletePod() {
    return Awaitility.await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> {
      kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
      return gateway.expectMessageClass(KubernetesCommand.DeletePod.class, Duration.ofMillis(100));
    }, d -> d != null);
  }

  private SimulationCommand.ReportServiceTerminated expectReport() {
    return (SimulationCommand.ReportServiceTerminated) directory.simulations.receiveMessage();
  }

  @Test
  void createPersistsRequestAndStartsThePod() {
    var result = kit.<CommandReply>runCommand(r -> new ServiceCommand.Create(spec, r));
    assertInstanceOf(CommandReply.Accepted.class, result.reply());
    assertEquals(2, result.events().size());
    assertEquals(new ServiceRequested(spec.serviceId(), spec, clock.instant()), result.events().get(0));
    assertInstanceOf(PodCreationStarted.class, result.events().get(1));
    assertInstanceOf(ServiceState.Creating.class, kit.getState());
    var cp = gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    assertEquals(spec, cp.spec());
    assertEquals(ServiceView.Phase.CREATING, view().phase());

    var again = kit.<CommandReply>runCommand(r -> new ServiceCommand.Create(spec, r));
    assertInstanceOf(CommandReply.Accepted.class, again.reply());
    assertTrue(again.hasNoEvents());
    var other = kit.<CommandReply>runCommand(r -> new ServiceCommand.Create(specFor(2.0), r));
    assertInstanceOf(CommandReply.Rejected.class, other.reply());
    assertTrue(other.hasNoEvents());
    gateway.expectNoMessage(Duration.ofMillis(50));

    cp.replyTo().tell(new PodCallResult.Succeeded(spec.podName(), "created"));
    await(() -> kit.getState() instanceof ServiceState.Created);
    assertEquals(ServiceView.Phase.CREATED, view().phase());
  }

  @Test
  void createForAnotherServiceIsRejected() {
    ServiceSpec foreign = ServiceSpec.of("204-asd", "other", new ModelSpec("m0", "img", List.of()), 1.0);
    var result = kit.<CommandReply>runCommand(r -> new ServiceCommand.Create(foreign, r));
    assertInstanceOf(CommandReply.Rejected.class, result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void emptyServiceAnswersNotFoundAndPassivates() {
    assertEquals(new ServiceReply.NotFound(spec.serviceId()),
        kit.<ServiceReply>runCommand(ServiceCommand.Get::new).reply());
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    var observed = kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.RUNNING, null)));
    assertTrue(observed.hasNoEvents());
  }

  @Test
  void refusedCreateFailsTheServiceAndReportsIt() {
    createAnd(new PodCallResult.Failed(spec.podName(), 422, "invalid image"));
    await(() -> kit.getState() instanceof ServiceState.Failed);
    ServiceView v = view();
    assertEquals(ServiceView.Phase.FAILED, v.phase());
    assertEquals(ExitCodes.POD_NOT_CREATED, v.exitCode());
    assertTrue(v.reason().contains("invalid image"), v.reason());
    var report = expectReport();
    assertEquals(TerminationStatus.FAILED, report.status());
    assertEquals(ExitCodes.POD_NOT_CREATED, report.exitCode());
    report.replyTo().tell(CommandReply.accepted());
    await(() -> ((ServiceState.Failed) kit.getState()).simulationNotified());
  }

  @Test
  void observationsJumpFromCreatingToRunning() {
    createAnd(null);
    var result = kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.RUNNING, null)));
    assertEquals(2, result.events().size());
    assertInstanceOf(PodCreated.class, result.events().get(0));
    assertInstanceOf(PodRunning.class, result.events().get(1));
    assertEquals(ServiceView.Phase.RUNNING, view().phase());
    assertTrue(kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.RUNNING, null)))
        .hasNoEvents());
  }

  @Test
  void waitingPodInCreatingCountsAsCreated() {
    createAnd(null);
    var result = kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.WAITING, null)));
    assertEquals(1, result.events().size());
    assertInstanceOf(ServiceState.Created.class, kit.getState());
  }

  @Test
  void successfulExitIsRecordedWithoutReadingTheLog() {
    toRunning();
    var result = kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    ServiceTerminated e = result.eventOfType(ServiceTerminated.class);
    assertEquals(TerminationStatus.SUCCEEDED, e.status());
    assertEquals(clock.instant().plus(Duration.ofHours(1)), e.deleteAt());
    var report = expectReport();
    assertEquals(0, report.exitCode());
    gateway.expectNoMessage(Duration.ofMillis(50));
    // Later observations change nothing.
    assertTrue(kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 1)))
        .hasNoEvents());
  }

  static Stream<Arguments> logOutcomes() {
    return Stream.of(
        Arguments.of(true, List.of("booting", "exiting 2")),
        Arguments.of(false, List.of()));
  }

  @ParameterizedTest(name = "log available: {0}")
  @MethodSource("logOutcomes")
  void failedExitReadsTheLogTailFirst(boolean available, List<String> expectedLines) {
    toRunning();
    assertTrue(kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 2)))
        .hasNoEvents());
    var read = gateway.expectMessageClass(KubernetesCommand.ReadPodLog.class);
    assertEquals(30, read.tailLines());
    // A second observation while the log is read does not start a second read.
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 2)));
    gateway.expectNoMessage(Duration.ofMillis(50));
    read.replyTo().tell(available ? new PodLogResult.Lines(spec.podName(), expectedLines)
        : new PodLogResult.Unavailable(spec.podName(), "gone"));
    await(() -> kit.getState() instanceof ServiceState.Terminated);
    ServiceView v = view();
    assertEquals(TerminationStatus.FAILED, v.terminationStatus());
    assertEquals(2, v.exitCode());
    assertEquals(expectedLines, v.lastLogLines());
    assertEquals(2, expectReport().exitCode());
  }

  static Stream<Arguments> deletions() {
    PodSnapshot terminated = new PodSnapshot("x", null, "Failed", PodSnapshot.ContainerState.TERMINATED, 3, "Error",
        null, false);
    return Stream.of(
        Arguments.of(false, null, TerminationStatus.FAILED, ExitCodes.POD_LOST, "pod deleted before"),
        Arguments.of(true, null, TerminationStatus.FAILED, ExitCodes.POD_LOST, "final state unknown"),
        Arguments.of(true, terminated, TerminationStatus.FAILED, 3, "Error"));
  }

  @ParameterizedTest(name = "finalStateUnknown={0} lastKnown={1}")
  @MethodSource("deletions")
  void podGoneWhileRunning(boolean unknown, PodSnapshot lastKnown, TerminationStatus status, int exitCode,
      String reasonPart) {
    toRunning();
    var result = kit.runCommand(new ServiceCommand.PodGone(spec.podName(), unknown, lastKnown));
    ServiceTerminated e = result.eventOfType(ServiceTerminated.class);
    assertEquals(status, e.status());
    assertEquals(exitCode, e.exitCode());
    assertTrue(e.reason().contains(reasonPart), e.reason());
  }

  @Test
  void rejectedReportIsRecordedAndNotRetried() {
    toRunning();
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    var first = expectReport();
    first.replyTo().tell(new CommandReply.Rejected("unknown model"));
    await(() -> ((ServiceState.Terminated) kit.getState()).simulationNotified());
    SimulationNotified n = (SimulationNotified) kit.persistenceTestKit()
        .persistedInStorage("Service|" + spec.serviceId().entityId()).stream()
        .filter(ev -> ev instanceof SimulationNotified).findFirst().orElseThrow();
    assertTrue(!n.accepted());
    clock.advance(Duration.ofMinutes(1));
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    directory.simulations.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void unansweredReportIsResentOnTickAndAfterRecovery() {
    toRunning();
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    expectReport(); // never answered: the ask times out only after 30 s
    kit.restart();
    var again = expectReport();
    clock.advance(Duration.ofSeconds(1));
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    directory.simulations.expectNoMessage(Duration.ofMillis(50)); // still in flight
    again.replyTo().tell(CommandReply.accepted());
    await(() -> ((ServiceState.Terminated) kit.getState()).simulationNotified());
    kit.restart();
    directory.simulations.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void podIsDeletedAfterRetentionThenServicePassivates() {
    toRunning();
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    expectReport().replyTo().tell(CommandReply.accepted());
    await(() -> ((ServiceState.Terminated) kit.getState()).simulationNotified());
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    gateway.expectNoMessage(Duration.ofMillis(50));
    clock.advance(Duration.ofHours(1).plusSeconds(1));
    // After a restart the deadline comes from the journal.
    kit.restart();
    var del = gateway.expectMessageClass(KubernetesCommand.DeletePod.class);
    assertEquals(spec.podName(), del.podName());
    del.replyTo().tell(new PodCallResult.Failed(spec.podName(), 500, "boom"));
    var retry = tickUntilDeletePod();
    retry.replyTo().tell(new PodCallResult.Succeeded(spec.podName(), "deleted"));
    await(() -> kit.getState() instanceof ServiceState.Deleted);
    // It stays until the informer has seen the pod go: the late DELETED event would start it again.
    shard.expectNoMessage(Duration.ofMillis(100));
    assertEquals(ServiceView.Phase.DELETED, view().phase());
    kit.runCommand(new ServiceCommand.PodGone(spec.podName(), false, pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    kit.restart();
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  /** Runs the service to its end, has the end acknowledged and the retention pass: the DeletePod it sends. */
  private KubernetesCommand.DeletePod toDeleting() {
    toRunning();
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    expectReport().replyTo().tell(CommandReply.accepted());
    await(() -> ((ServiceState.Terminated) kit.getState()).simulationNotified());
    clock.advance(Duration.ofHours(1).plusSeconds(1));
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    return gateway.expectMessageClass(KubernetesCommand.DeletePod.class);
  }

  /** setUp's service again, on a kit whose journal removals are recorded. */
  private RecordingRemoval kitWithRemoval() {
    RecordingRemoval removal = new RecordingRemoval();
    spec = null;
    spec = specFor(1.0);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        ServiceEntity.create(spec.serviceId(), directory, gateway.ref(), TestSupport.settings(clock), removal,
            shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
    return removal;
  }

  private CommandReply remove() {
    return kit.<CommandReply>runCommand(ServiceEntity.Remove::new).reply();
  }

  @Test
  void aServiceThatStillOwnsItsPodRefusesRemovalAndKeepsItsJournal() {
    RecordingRemoval removal = kitWithRemoval();
    toRunning();
    assertTrue(assertInstanceOf(CommandReply.Rejected.class, remove()).reason().contains("still owns its pod"));
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    expectReport().replyTo().tell(CommandReply.accepted());
    await(() -> ((ServiceState.Terminated) kit.getState()).simulationNotified());
    // Terminated, its pod kept for keepLogsHours: still refused.
    assertInstanceOf(CommandReply.Rejected.class, remove());
    assertEquals(List.of(), removal.removed);
    shard.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aDeletedServiceRemovesItsJournalAndPassivates() {
    RecordingRemoval removal = kitWithRemoval();
    toDeleting().replyTo().tell(new PodCallResult.Succeeded(spec.podName(), "deleted"));
    await(() -> kit.getState() instanceof ServiceState.Deleted);
    assertInstanceOf(CommandReply.Accepted.class, remove());
    assertEquals(List.of("Service|" + spec.serviceId().entityId()), removal.removed);
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void anEmptyServiceAnswersRemovalAtOnceAndPassivates() {
    RecordingRemoval removal = kitWithRemoval();
    assertEquals("no journal", assertInstanceOf(CommandReply.Accepted.class, remove()).detail());
    assertEquals(List.of(), removal.removed);
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void deletedServiceWhosePodWasSeenGoneFirstStopsAtTheDeleteAnswer() {
    var del = toDeleting();
    // The watch's DELETED event overtakes the delete's answer.
    kit.runCommand(new ServiceCommand.PodGone(spec.podName(), false, pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    shard.expectNoMessage(Duration.ofMillis(50));
    del.replyTo().tell(new PodCallResult.Succeeded(spec.podName(), "deleted"));
    await(() -> kit.getState() instanceof ServiceState.Deleted);
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void deletedServiceStopsAfterTheLingerWhenThePodsDeletionIsNeverSeen() {
    toDeleting().replyTo().tell(new PodCallResult.Succeeded(spec.podName(), "deleted"));
    await(() -> kit.getState() instanceof ServiceState.Deleted);
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    shard.expectNoMessage(Duration.ofMillis(100));
    kit.runCommand(ServiceEntity.LingerOver.INSTANCE);
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void deletionIsAbandonedAfterMaxAttempts() {
    kitWithoutRetention();
    createAnd(new PodCallResult.Failed(spec.podName(), 403, "forbidden"));
    gateway.expectMessageClass(KubernetesCommand.DeletePod.class).replyTo()
        .tell(new PodCallResult.Failed(spec.podName(), 403, "forbidden"));
    tickUntilDeletePod().replyTo().tell(new PodCallResult.Failed(spec.podName(), 403, "forbidden"));
    await(() -> kit.getState() instanceof ServiceState.Deleted);
    assertTrue(view().reason().contains("pod deletion abandoned"), view().reason());
    var events = kit.persistenceTestKit().persistedInStorage("Service|" + spec.serviceId().entityId());
    assertTrue(events.stream().anyMatch(e -> e instanceof PodDeletionAbandoned));
    // Not notified yet: the service stays until the simulation accepted the report.
    shard.expectNoMessage(Duration.ofMillis(50));
    expectReport().replyTo().tell(CommandReply.accepted());
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void createIsResentWhenUnansweredAndFailsAfterMaxAttempts() {
    createAnd(null);
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    gateway.expectNoMessage(Duration.ofMillis(50));
    clock.advance(Duration.ofSeconds(61));
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    clock.advance(Duration.ofSeconds(61));
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    clock.advance(Duration.ofSeconds(61));
    var result = kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    ServiceFailed failed = result.eventOfType(ServiceFailed.class);
    assertEquals(ExitCodes.POD_NOT_CREATED, failed.exitCode());
    assertEquals(TerminationStatus.FAILED, expectReport().status());
  }

  @Test
  void recoveryWhileCreatingSendsCreatePodAgain() {
    createAnd(null);
    kit.restart();
    var again = gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    again.replyTo().tell(new PodCallResult.Succeeded(spec.podName(), "409: already exists"));
    await(() -> kit.getState() instanceof ServiceState.Created);
  }

  @Test
  void recoveryWhileCreatingLooksThePodUpAndCatchesUpWithIt() {
    createAnd(null);
    kit.restart();
    gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    gateway.expectMessageClass(KubernetesCommand.LookupPod.class).replyTo()
        .tell(new PodLookupResult.Present(pod(PodSnapshot.ContainerState.RUNNING, null)));
    await(() -> kit.getState() instanceof ServiceState.Running);
  }

  @Test
  void recoveryWhileCreatingIgnoresAPodNotInTheCacheYet() {
    createAnd(null);
    kit.restart();
    var again = gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    gateway.expectMessageClass(KubernetesCommand.LookupPod.class).replyTo()
        .tell(new PodLookupResult.Absent(spec.podName()));
    assertInstanceOf(ServiceState.Creating.class, kit.getState());
    again.replyTo().tell(new PodCallResult.Succeeded(spec.podName(), "409: already exists"));
    await(() -> kit.getState() instanceof ServiceState.Created);
  }

  @Test
  void recoveryWhileRunningLooksThePodUpWithoutWaitingForATick() {
    toRunning();
    kit.restart();
    gateway.expectMessageClass(KubernetesCommand.LookupPod.class).replyTo()
        .tell(new PodLookupResult.Present(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    await(() -> kit.getState() instanceof ServiceState.Terminated);
    assertEquals(TerminationStatus.SUCCEEDED, view().terminationStatus());
  }

  @Test
  void absentPodBeyondGraceIsLost() {
    toRunning();
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    gateway.expectMessageClass(KubernetesCommand.LookupPod.class).replyTo()
        .tell(new PodLookupResult.Unknown(spec.podName(), "not synced"));
    await(() -> kit.getState() instanceof ServiceState.Running);
    clock.advance(Duration.ofSeconds(61));
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    var lookup = gateway.expectMessageClass(KubernetesCommand.LookupPod.class);
    lookup.replyTo().tell(new PodLookupResult.Absent(spec.podName()));
    await(() -> kit.getState() instanceof ServiceState.Terminated);
    ServiceView v = view();
    assertEquals(ExitCodes.POD_LOST, v.exitCode());
    assertTrue(v.reason().contains("final state unknown"), v.reason());
  }

  /** Ticks until the entity (once it has taken the previous lookup's answer in) sends LookupPod again. */
  private KubernetesCommand.LookupPod tickUntilLookupPod() {
    return Awaitility.await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> {
      kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
      return gateway.expectMessageClass(KubernetesCommand.LookupPod.class, Duration.ofMillis(100));
    }, l -> l != null);
  }

  @Test
  void aPodCreatedLateWhileHeldIsMissingOnlyAGraceAfterItsCreation() {
    useSettings(TestSupport.settings(clock).withHoldOnFailure(true));
    var cp = createAnd(new PodCallResult.Failed(spec.podName(), 0, "deadline exceeded"));
    await(() -> kit.getState() instanceof ServiceState.Held);
    clock.advance(Duration.ofMinutes(2));
    cp.replyTo().tell(new PodCallResult.Succeeded(spec.podName(), "created"));
    await(() -> kit.getState() instanceof ServiceState.Created);
    // Absent from the cache right after its creation: not missing yet, however long the service was held.
    tickUntilLookupPod().replyTo().tell(new PodLookupResult.Absent(spec.podName()));
    tickUntilLookupPod().replyTo().tell(new PodLookupResult.Unknown(spec.podName(), "not synced"));
    assertInstanceOf(ServiceState.Created.class, kit.getState());
    clock.advance(Duration.ofSeconds(61));
    tickUntilLookupPod().replyTo().tell(new PodLookupResult.Absent(spec.podName()));
    await(() -> kit.getState() instanceof ServiceState.Terminated);
    assertEquals(ExitCodes.POD_LOST, view().exitCode());
  }

  @Test
  void lookupShowingATerminatedContainerEndsTheService() {
    toRunning();
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    gateway.expectMessageClass(KubernetesCommand.LookupPod.class).replyTo()
        .tell(new PodLookupResult.Present(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    await(() -> kit.getState() instanceof ServiceState.Terminated);
    assertEquals(TerminationStatus.SUCCEEDED, view().terminationStatus());
  }

  @Test
  void deletedEventIsJournaled() {
    kitWithoutRetention();
    toRunning();
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    gateway.expectMessageClass(KubernetesCommand.DeletePod.class).replyTo()
        .tell(new PodCallResult.Succeeded(spec.podName(), "deleted"));
    await(() -> kit.getState() instanceof ServiceState.Deleted);
    expectReport().replyTo().tell(CommandReply.accepted());
    kit.runCommand(new ServiceCommand.PodGone(spec.podName(), false, pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    var events = kit.persistenceTestKit().persistedInStorage("Service|" + spec.serviceId().entityId());
    assertTrue(events.stream().anyMatch(e -> e instanceof PodDeleted));
    assertInstanceOf(SimulationNotified.class, events.get(events.size() - 1));
  }

  // ---------------------------------------------------------------- admission queue

  private PodCallResult.Queued queued(int position) {
    return new PodCallResult.Queued(spec.podName(), position, "pod cap 100 reached");
  }

  /** Create, answer Queued(3); returns the CreatePod (its replyTo is the entity's adapter). */
  private KubernetesCommand.CreatePod toQueued() {
    var cp = createAnd(queued(3));
    await(() -> kit.getState() instanceof ServiceState.Queued);
    return cp;
  }

  @Test
  void queuedNoticeIsJournaledOnceAndShownInTheView() {
    var cp = toQueued();
    assertEquals(new ServiceState.Queued(spec, 3, "pod cap 100 reached", clock.instant()), kit.getState());
    ServiceView v = view();
    assertEquals(ServiceView.Phase.QUEUED, v.phase());
    assertTrue(v.reason().contains("position 3") && v.reason().contains("pod cap 100 reached"), v.reason());
    // A repeated notice (a new position) changes nothing: the first one is what was journaled.
    cp.replyTo().tell(queued(1));
    var probe = kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    assertTrue(probe.hasNoEvents());
    assertEquals(new ServiceState.Queued(spec, 3, "pod cap 100 reached", clock.instant()), kit.getState());
  }

  static Stream<Arguments> finalAnswersWhileQueued() {
    return Stream.of(
        Arguments.of(new PodCallResult.Succeeded("p", "created"), ServiceState.Created.class),
        Arguments.of(new PodCallResult.Failed("p", 422, "Invalid"), ServiceState.Failed.class));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("finalAnswersWhileQueued")
  void finalAnswerMovesAQueuedServiceOnAsFromCreating(PodCallResult answer, Class<?> next) {
    var cp = toQueued();
    cp.replyTo().tell(answer);
    await(() -> next.isInstance(kit.getState()));
    if (next == ServiceState.Failed.class) {
      var report = expectReport();
      assertEquals(ExitCodes.POD_NOT_CREATED, report.exitCode());
      assertTrue(report.reason().contains("Invalid"), report.reason());
    }
  }

  @Test
  void aLongAdmissionWaitNeverRunsOutTheCreateBudgetButASilentGatewayDoes() {
    toQueued();
    // Far more re-sends than create-max-attempts (3), each answered Queued again.
    for (int i = 0; i < 6; i++) {
      clock.advance(Duration.ofSeconds(61));
      assertTrue(kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).hasNoEvents());
      var again = gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
      again.replyTo().tell(queued(2));
    }
    // Wait until the last Queued notice has been taken in (it resets the unanswered count).
    assertInstanceOf(ServiceState.Queued.class, kit.getState());
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    // Now the gateway stops answering: three unanswered re-sends, then it fails as from Creating.
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofSeconds(61));
      kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
      gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    }
    clock.advance(Duration.ofSeconds(61));
    ServiceFailed failed = kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).eventOfType(ServiceFailed.class);
    assertTrue(failed.reason().contains("no answer"), failed.reason());
  }

  @Test
  void recoveryWhileQueuedSendsCreatePodAgain() {
    toQueued();
    kit.restart();
    assertInstanceOf(ServiceState.Queued.class, kit.getState());
    var again = gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    again.replyTo().tell(new PodCallResult.Succeeded(spec.podName(), "admitted"));
    await(() -> kit.getState() instanceof ServiceState.Created);
  }

  @Test
  void creationQueuedIsJournaledWithItsPosition() {
    var cp = createAnd(queued(7));
    await(() -> kit.getState() instanceof ServiceState.Queued);
    kit.restart();
    assertEquals(new ServiceState.Queued(spec, 7, "pod cap 100 reached", clock.instant()), kit.getState());
    assertEquals(cp.spec(), gateway.expectMessageClass(KubernetesCommand.CreatePod.class).spec());
  }

  // ---------------------------------------------------------------- hold on failure

  /**
   * A kit on {@code settings}, for a service of another simulation: setUp's entity must not share
   * its persistence id (its recovery, late on a slow machine, would replay this one's events and
   * send CreatePod and LookupPod to the same gateway probe).
   */
  private void useSettings(EntitySettings settings) {
    spec = null;
    spec = specFor(1.0);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        ServiceEntity.create(spec.serviceId(), directory, gateway.ref(), settings, shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  /** Ways a creation runs out of its bounded retries. */
  static Stream<Arguments> holdPaths() {
    Consumer<ServiceEntityTest> refused = t -> t.createAnd(new PodCallResult.Failed("p", 403, "forbidden"));
    Consumer<ServiceEntityTest> silent = t -> {
      t.createAnd(null);
      for (int i = 0; i < 2; i++) {
        t.clock.advance(Duration.ofSeconds(61));
        t.kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
        t.gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
      }
      t.clock.advance(Duration.ofSeconds(61));
      t.kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    };
    Consumer<ServiceEntityTest> queuedThenRefused = t -> t.toQueued().replyTo()
        .tell(new PodCallResult.Failed("p", 0, "admission timed out"));
    return Stream.of(
        Arguments.of("CreatePod failed", refused, "forbidden (HTTP 403)"),
        Arguments.of("CreatePod never answered", silent, "no answer"),
        Arguments.of("failed after queueing", queuedThenRefused, "admission timed out"));
  }

  private void toHeld(Consumer<ServiceEntityTest> path) {
    useSettings(TestSupport.settings(clock).withHoldOnFailure(true));
    path.accept(this);
    await(() -> kit.getState() instanceof ServiceState.Held);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("holdPaths")
  void withHoldOnFailureAnExhaustedCreationIsHeldAndNotReported(String name, Consumer<ServiceEntityTest> path,
      String reason) {
    toHeld(path);
    ServiceView v = view();
    assertEquals(ServiceView.Phase.HELD, v.phase());
    assertTrue(v.reason().contains(reason), v.reason());
    assertEquals(null, v.terminationStatus());
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE);
    directory.simulations.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void retryReleasesTheHoldWithAFreshAttemptBudget() {
    toHeld(t -> t.createAnd(new PodCallResult.Failed("p", 403, "forbidden")));
    var result = kit.<CommandReply>runCommand(ServiceCommand.Retry::new);
    assertInstanceOf(CommandReply.Accepted.class, result.reply());
    result.eventOfType(HoldReleased.class);
    assertInstanceOf(ServiceState.Creating.class, kit.getState());
    gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    // Fresh budget: two more unanswered re-sends are allowed before it is held again.
    for (int i = 0; i < 2; i++) {
      clock.advance(Duration.ofSeconds(61));
      assertTrue(kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).hasNoEvents());
      gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    }
    clock.advance(Duration.ofSeconds(61));
    kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).eventOfType(ServiceHeld.class);
    // Retry again, and this time it works.
    kit.<CommandReply>runCommand(ServiceCommand.Retry::new);
    gateway.expectMessageClass(KubernetesCommand.CreatePod.class).replyTo()
        .tell(new PodCallResult.Succeeded(spec.podName(), "created"));
    await(() -> kit.getState() instanceof ServiceState.Created);
  }

  @Test
  void abandonFailsTheHeldServiceAndReportsIt() {
    toHeld(t -> t.createAnd(new PodCallResult.Failed("p", 403, "forbidden")));
    var result = kit.<CommandReply>runCommand(r -> new ServiceCommand.Abandon("image is gone", r));
    assertInstanceOf(CommandReply.Accepted.class, result.reply());
    ServiceFailed failed = result.eventOfType(ServiceFailed.class);
    assertEquals(ExitCodes.POD_NOT_CREATED, failed.exitCode());
    assertEquals("abandoned by operator: image is gone", failed.reason());
    var report = expectReport();
    assertEquals(TerminationStatus.FAILED, report.status());
    assertEquals(ExitCodes.POD_NOT_CREATED, report.exitCode());
    assertEquals("abandoned by operator: image is gone", report.reason());
    assertEquals(ServiceView.Phase.FAILED, view().phase());
  }

  @Test
  void recoveryWhileHeldWaitsForTheOperator() {
    toHeld(t -> t.createAnd(new PodCallResult.Failed("p", 403, "forbidden")));
    kit.restart();
    assertInstanceOf(ServiceState.Held.class, kit.getState());
    gateway.expectNoMessage(Duration.ofMillis(100));
    assertInstanceOf(CommandReply.Accepted.class, kit.<CommandReply>runCommand(ServiceCommand.Retry::new).reply());
    gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
  }

  @Test
  void aPodSeenWhileHeldIsCreatedAfterAll() {
    toHeld(t -> t.createAnd(new PodCallResult.Failed("p", 0, "deadline exceeded")));
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.RUNNING, null)));
    assertInstanceOf(ServiceState.Running.class, kit.getState());
  }

  /** Services in each phase but HELD. */
  static Stream<Arguments> notHeld() {
    Consumer<ServiceEntityTest> empty = t -> { };
    Consumer<ServiceEntityTest> creating = t -> t.createAnd(null);
    Consumer<ServiceEntityTest> queued = ServiceEntityTest::toQueued;
    Consumer<ServiceEntityTest> running = ServiceEntityTest::toRunning;
    Consumer<ServiceEntityTest> failed = t -> {
      t.createAnd(new PodCallResult.Failed("p", 403, "forbidden"));
      await(() -> t.kit.getState() instanceof ServiceState.Failed);
    };
    return Stream.of(Arguments.of("empty", empty), Arguments.of("creating", creating),
        Arguments.of("queued", queued), Arguments.of("running", running), Arguments.of("failed", failed));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notHeld")
  void retryAndAbandonAreRejectedUnlessHeld(String name, Consumer<ServiceEntityTest> setup) {
    setup.accept(this);
    ServiceState before = kit.getState();
    var retry = kit.<CommandReply>runCommand(ServiceCommand.Retry::new);
    assertInstanceOf(CommandReply.Rejected.class, retry.reply());
    assertTrue(retry.hasNoEvents());
    var abandon = kit.<CommandReply>runCommand(r -> new ServiceCommand.Abandon("no", r));
    assertInstanceOf(CommandReply.Rejected.class, abandon.reply());
    assertTrue(abandon.hasNoEvents());
    assertEquals(before, kit.getState());
  }

  // ---------------------------------------------------------------- lost node

  static Stream<Arguments> lostPods() {
    return Stream.of(
        Arguments.of("Unknown", null, null, "node lost: pod phase Unknown"),
        Arguments.of("Running", "NodeLost", "Node n1 which was running pod is unresponsive",
            "node lost: NodeLost: Node n1 which was running pod is unresponsive"));
  }

  private PodSnapshot lostPod(String phase, String reason, String message) {
    return new PodSnapshot(spec.podName(), spec.serviceId(), phase, PodSnapshot.ContainerState.RUNNING, null, reason,
        message, false);
  }

  @ParameterizedTest(name = "phase {0} reason {1}")
  @MethodSource("lostPods")
  void aPodOnALostNodeFailsAfterTheGrace(String phase, String reason, String message, String expected) {
    toRunning();
    assertTrue(kit.runCommand(new ServiceCommand.PodObserved(lostPod(phase, reason, message))).hasNoEvents());
    clock.advance(Duration.ofMinutes(4));
    assertTrue(kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).hasNoEvents());
    assertTrue(kit.runCommand(new ServiceCommand.PodObserved(lostPod(phase, reason, message))).hasNoEvents());
    clock.advance(Duration.ofMinutes(1));
    ServiceTerminated t = kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).eventOfType(ServiceTerminated.class);
    assertEquals(TerminationStatus.FAILED, t.status());
    assertEquals(ExitCodes.POD_LOST, t.exitCode());
    assertEquals(expected, t.reason());
    assertEquals(clock.instant().plus(Duration.ofHours(1)), t.deleteAt());
    var report = expectReport();
    assertEquals(ExitCodes.POD_LOST, report.exitCode());
    assertEquals(expected, report.reason());
  }

  @Test
  void aNormalObservationClearsTheLostNode() {
    toRunning();
    kit.runCommand(new ServiceCommand.PodObserved(lostPod("Unknown", null, null)));
    clock.advance(Duration.ofMinutes(4));
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.RUNNING, null)));
    clock.advance(Duration.ofMinutes(2));
    assertTrue(kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).hasNoEvents());
    // A new loss starts a new grace.
    kit.runCommand(new ServiceCommand.PodObserved(lostPod("Unknown", null, null)));
    clock.advance(Duration.ofMinutes(4));
    assertTrue(kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).hasNoEvents());
    assertInstanceOf(ServiceState.Running.class, kit.getState());
  }
}
