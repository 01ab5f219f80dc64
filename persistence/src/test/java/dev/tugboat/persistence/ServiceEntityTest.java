package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.ServiceEvent.PodCreated;
import dev.tugboat.persistence.ServiceEvent.PodCreationStarted;
import dev.tugboat.persistence.ServiceEvent.PodDeleted;
import dev.tugboat.persistence.ServiceEvent.PodDeletionAbandoned;
import dev.tugboat.persistence.ServiceEvent.PodRunning;
import dev.tugboat.persistence.ServiceEvent.ServiceFailed;
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
      kit.runCommand(ServiceEntity.Tick.INSTANCE);
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
  void podDeletedWhileRunning(boolean unknown, PodSnapshot lastKnown, TerminationStatus status, int exitCode,
      String reasonPart) {
    toRunning();
    var result = kit.runCommand(new ServiceCommand.PodDeleted(spec.podName(), unknown, lastKnown));
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
    kit.runCommand(ServiceEntity.Tick.INSTANCE);
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
    kit.runCommand(ServiceEntity.Tick.INSTANCE);
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
    kit.runCommand(ServiceEntity.Tick.INSTANCE);
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
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    assertEquals(ServiceView.Phase.DELETED, view().phase());
    kit.restart();
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void deletionIsAbandonedAfterMaxAttempts() {
    spec = specFor(0);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        ServiceEntity.create(spec.serviceId(), directory, gateway.ref(), TestSupport.settings(clock), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
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
    kit.runCommand(ServiceEntity.Tick.INSTANCE);
    gateway.expectNoMessage(Duration.ofMillis(50));
    clock.advance(Duration.ofSeconds(61));
    kit.runCommand(ServiceEntity.Tick.INSTANCE);
    gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    clock.advance(Duration.ofSeconds(61));
    kit.runCommand(ServiceEntity.Tick.INSTANCE);
    gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    clock.advance(Duration.ofSeconds(61));
    var result = kit.runCommand(ServiceEntity.Tick.INSTANCE);
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
  void absentPodBeyondGraceIsLost() {
    toRunning();
    kit.runCommand(ServiceEntity.Tick.INSTANCE);
    gateway.expectMessageClass(KubernetesCommand.LookupPod.class).replyTo()
        .tell(new PodLookupResult.Unknown(spec.podName(), "not synced"));
    await(() -> kit.getState() instanceof ServiceState.Running);
    clock.advance(Duration.ofSeconds(61));
    kit.runCommand(ServiceEntity.Tick.INSTANCE);
    var lookup = gateway.expectMessageClass(KubernetesCommand.LookupPod.class);
    lookup.replyTo().tell(new PodLookupResult.Absent(spec.podName()));
    await(() -> kit.getState() instanceof ServiceState.Terminated);
    ServiceView v = view();
    assertEquals(ExitCodes.POD_LOST, v.exitCode());
    assertTrue(v.reason().contains("final state unknown"), v.reason());
  }

  @Test
  void lookupShowingATerminatedContainerEndsTheService() {
    toRunning();
    kit.runCommand(ServiceEntity.Tick.INSTANCE);
    gateway.expectMessageClass(KubernetesCommand.LookupPod.class).replyTo()
        .tell(new PodLookupResult.Present(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    await(() -> kit.getState() instanceof ServiceState.Terminated);
    assertEquals(TerminationStatus.SUCCEEDED, view().terminationStatus());
  }

  @Test
  void deletedEventIsJournaled() {
    spec = specFor(0);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        ServiceEntity.create(spec.serviceId(), directory, gateway.ref(), TestSupport.settings(clock), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
    toRunning();
    kit.runCommand(new ServiceCommand.PodObserved(pod(PodSnapshot.ContainerState.TERMINATED, 0)));
    gateway.expectMessageClass(KubernetesCommand.DeletePod.class).replyTo()
        .tell(new PodCallResult.Succeeded(spec.podName(), "deleted"));
    await(() -> kit.getState() instanceof ServiceState.Deleted);
    expectReport().replyTo().tell(CommandReply.accepted());
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    var events = kit.persistenceTestKit().persistedInStorage("Service|" + spec.serviceId().entityId());
    assertTrue(events.stream().anyMatch(e -> e instanceof PodDeleted));
    assertInstanceOf(SimulationNotified.class, events.get(events.size() - 1));
  }
}
