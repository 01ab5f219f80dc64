package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.ServiceEvent.ServiceRequested;
import dev.tugboat.persistence.ServiceEvent.ServiceTerminated;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Service entity told to stop by its terminated simulation, from each phase. */
class ServiceTerminateTest {
  private static final String REASON = "terminated by ops: maintenance";

  private static ActorTestKit testKit;

  private MutableClock clock;
  private ProbeDirectory directory;
  private TestProbe<KubernetesCommand> gateway;
  private ServiceSpec spec;
  private EventSourcedBehaviorTestKit<ServiceCommand, ServiceEvent, ServiceState> kit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("ServiceTerminateTest", TestSupport.config());
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
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe(ClusterSharding.ShardCommand.class);
    // keepLogsHours 1: a pod that ended on its own would be kept an hour; a terminated one is not.
    spec = ServiceSpec.of("204-asd", "sim-" + UUID.randomUUID().toString().substring(0, 8),
        new ModelSpec("m0", "registry/model:1", List.of()), 1.0);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        ServiceEntity.create(spec.serviceId(), directory, gateway.ref(), TestSupport.settings(clock), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<ServiceCommand, ServiceEvent, ServiceState,
      CommandReply> terminate(ServiceSpec s) {
    return kit.runCommand(r -> new ServiceCommand.Terminate(s, REASON, r));
  }

  private KubernetesCommand.DeletePod expectDeletePod() {
    return (KubernetesCommand.DeletePod) gateway.fishForMessage(Duration.ofSeconds(5),
        m -> m instanceof KubernetesCommand.DeletePod ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore())
        .get(0);
  }

  private SimulationCommand.ReportServiceTerminated expectReport() {
    return assertInstanceOf(SimulationCommand.ReportServiceTerminated.class, directory.simulations.receiveMessage());
  }

  private void toRunning() {
    assertInstanceOf(CommandReply.Accepted.class,
        kit.<CommandReply>runCommand(r -> new ServiceCommand.Create(spec, r)).reply());
    gateway.expectMessageClass(KubernetesCommand.CreatePod.class).replyTo()
        .tell(new PodCallResult.Succeeded(spec.podName(), "created"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> kit.getState() instanceof ServiceState.Created);
    kit.runCommand(new ServiceCommand.PodObserved(new PodSnapshot(spec.podName(), spec.serviceId(), "Running",
        PodSnapshot.ContainerState.RUNNING, null, null, null, false)));
    assertInstanceOf(ServiceState.Running.class, kit.getState());
  }

  @Test
  void aRunningServiceEndsFailedWithTheTerminatedCodeDeletesItsPodAtOnceAndReports() {
    toRunning();
    var result = terminate(spec);
    assertEquals(CommandReply.accepted(), result.reply());
    ServiceTerminated e = result.eventOfType(ServiceTerminated.class);
    assertEquals(TerminationStatus.FAILED, e.status());
    assertEquals(ExitCodes.TERMINATED, e.exitCode());
    assertEquals(REASON, e.reason());
    assertEquals(clock.instant(), e.deleteAt(), "keepLogsHours does not apply to a terminated simulation");

    assertEquals(spec.podName(), expectDeletePod().podName());
    var report = expectReport();
    assertEquals("m0", report.modelId());
    assertEquals(ExitCodes.TERMINATED, report.exitCode());
    assertEquals(TerminationStatus.FAILED, report.status());

    // The container's own end, seen afterwards, changes nothing; neither does a second Terminate.
    assertTrue(kit.runCommand(new ServiceCommand.PodObserved(new PodSnapshot(spec.podName(), spec.serviceId(),
        "Failed", PodSnapshot.ContainerState.TERMINATED, 137, "Error", null, false))).hasNoEvents());
    var again = terminate(spec);
    assertEquals(new CommandReply.Accepted("already ended"), again.reply());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void aServiceNeverAskedToRunRecordsTheEndSoALateCreateStartsNoPod() {
    var result = terminate(spec);
    assertEquals(CommandReply.accepted(), result.reply());
    assertEquals(new ServiceRequested(spec.serviceId(), spec, clock.instant()), result.events().get(0));
    assertEquals(ExitCodes.TERMINATED, ((ServiceTerminated) result.events().get(1)).exitCode());
    assertEquals(ExitCodes.TERMINATED, expectReport().exitCode());

    assertEquals(new CommandReply.Accepted("already requested"),
        kit.<CommandReply>runCommand(r -> new ServiceCommand.Create(spec, r)).reply());
    // Only the deletion of a pod that may have been made elsewhere; never a CreatePod.
    assertInstanceOf(KubernetesCommand.DeletePod.class, gateway.receiveMessage(Duration.ofSeconds(5)));
    gateway.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aServiceStillCreatingItsPodEndsAndDeletesWhatItMayHaveCreated() {
    assertInstanceOf(CommandReply.Accepted.class,
        kit.<CommandReply>runCommand(r -> new ServiceCommand.Create(spec, r)).reply());
    var create = gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    assertEquals(ExitCodes.TERMINATED, terminate(spec).eventOfType(ServiceTerminated.class).exitCode());
    create.replyTo().tell(new PodCallResult.Succeeded(spec.podName(), "created"));
    assertEquals(spec.podName(), expectDeletePod().podName());
    assertInstanceOf(ServiceState.Terminated.class, kit.getState());
  }

  @Test
  void aTerminateForAnotherServiceIsRejectedAndChangesNothing() {
    ServiceSpec foreign = ServiceSpec.of("204-asd", "other", new ModelSpec("m0", "img", List.of()), 1.0);
    var result = terminate(foreign);
    assertInstanceOf(CommandReply.Rejected.class, result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void aTerminatedServiceRecoversEndedAndDeletesItsPod() {
    toRunning();
    terminate(spec);
    expectDeletePod();
    kit.restart();
    ServiceState.Terminated t = assertInstanceOf(ServiceState.Terminated.class, kit.getState());
    assertEquals(ExitCodes.TERMINATED, t.ending().exitCode());
    assertEquals(spec.podName(), expectDeletePod().podName());
  }
}
