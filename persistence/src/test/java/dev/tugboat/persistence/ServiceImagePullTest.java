package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.ServiceEvent.PodCreated;
import dev.tugboat.persistence.ServiceEvent.ServiceFailed;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceReply;
import dev.tugboat.protocol.service.ServiceView;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A service whose container waits for an image it cannot pull (ErrImagePull, ImagePullBackOff, ...)
 * for image-pull-grace ends FAILED with exit code 200 and a reason naming the image and the waiting
 * reason; it is reported to its simulation and its pod deleted as for any other failed model
 * (ImagePullWatch; docs/state-machines.md, ServiceEntity).
 */
class ServiceImagePullTest {
  private static final Duration GRACE = Duration.ofMinutes(2);
  private static final String IMAGE = "registry.example/no-such-model:1";
  private static final String PULL_ERROR = "Failed to pull image \"" + IMAGE + "\": not found";

  private static ActorTestKit testKit;

  private MutableClock clock;
  private ProbeDirectory directory;
  private TestProbe<KubernetesCommand> gateway;
  private ServiceSpec spec;
  private EventSourcedBehaviorTestKit<ServiceCommand, ServiceEvent, ServiceState> kit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("ServiceImagePullTest", TestSupport.config());
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
    // keepLogsHours 0: the pod of an ended model is deleted at once.
    spec = ServiceSpec.of("204-asd", "sim-" + UUID.randomUUID().toString().substring(0, 8),
        new ModelSpec("m0", IMAGE, List.of()), 0);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        ServiceEntity.create(spec.serviceId(), directory, gateway.ref(),
            TestSupport.settings(clock).withImagePullGrace(GRACE), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  private PodSnapshot waiting(String reason, String message) {
    return new PodSnapshot(spec.podName(), spec.serviceId(), "Pending", ContainerState.WAITING, null, reason, message,
        false);
  }

  private PodSnapshot running() {
    return new PodSnapshot(spec.podName(), spec.serviceId(), "Running", ContainerState.RUNNING, null, null, null,
        false);
  }

  private void toCreated() {
    assertInstanceOf(CommandReply.Accepted.class,
        kit.<CommandReply>runCommand(r -> new ServiceCommand.Create(spec, r)).reply());
    gateway.expectMessageClass(KubernetesCommand.CreatePod.class).replyTo()
        .tell(new PodCallResult.Succeeded(spec.podName(), "created"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> kit.getState() instanceof ServiceState.Created);
  }

  private ServiceView view() {
    return assertInstanceOf(ServiceReply.Found.class, kit.<ServiceReply>runCommand(ServiceCommand.Get::new).reply())
        .service();
  }

  @Test
  void anImageNotPulledForTheGraceFailsTheModelWith200() {
    toCreated();
    assertTrue(kit.runCommand(new ServiceCommand.PodObserved(waiting("ErrImagePull", PULL_ERROR))).hasNoEvents());
    clock.advance(Duration.ofMinutes(1));
    assertTrue(kit.runCommand(new ServiceCommand.PodObserved(
        waiting("ImagePullBackOff", "Back-off pulling image \"" + IMAGE + "\""))).hasNoEvents());
    clock.advance(GRACE.minusMinutes(1).minusMillis(1));
    assertTrue(kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).hasNoEvents(), "the grace is not over yet");

    clock.advance(Duration.ofMillis(1));
    ServiceFailed failed = kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).eventOfType(ServiceFailed.class);
    String reason = "image " + IMAGE + " could not be pulled: ErrImagePull: " + PULL_ERROR;
    assertEquals(ExitCodes.IMAGE_NOT_PULLED, failed.exitCode());
    assertEquals(reason, failed.reason());
    assertEquals(clock.instant(), failed.deleteAt());
    ServiceView view = view();
    assertEquals(ServiceView.Phase.FAILED, view.phase());
    assertEquals(TerminationStatus.FAILED, view.terminationStatus());
    assertEquals(200, view.exitCode());

    var report = (SimulationCommand.ReportServiceTerminated) directory.simulations.receiveMessage();
    assertEquals(TerminationStatus.FAILED, report.status());
    assertEquals(ExitCodes.IMAGE_NOT_PULLED, report.exitCode());
    assertEquals(reason, report.reason());
    gateway.fishForMessage(Duration.ofSeconds(5), m -> m instanceof KubernetesCommand.DeletePod d
        && d.podName().equals(spec.podName()) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }

  @Test
  void theGraceMayRunOutOnAnObservationOfAPodNotYetKnownToExist() {
    assertInstanceOf(CommandReply.Accepted.class,
        kit.<CommandReply>runCommand(r -> new ServiceCommand.Create(spec, r)).reply());
    var first = kit.runCommand(new ServiceCommand.PodObserved(waiting("InvalidImageName", "bad ref")));
    assertInstanceOf(PodCreated.class, first.events().get(0));
    clock.advance(GRACE);
    ServiceFailed failed = kit.runCommand(new ServiceCommand.PodObserved(waiting("InvalidImageName", "bad ref")))
        .eventOfType(ServiceFailed.class);
    assertEquals(ExitCodes.IMAGE_NOT_PULLED, failed.exitCode());
    assertEquals("image " + IMAGE + " could not be pulled: InvalidImageName: bad ref", failed.reason());
    assertInstanceOf(ServiceState.Failed.class, kit.getState());
  }

  @Test
  void aContainerThatStartsAfterAllForgetsThePullProblem() {
    toCreated();
    kit.runCommand(new ServiceCommand.PodObserved(waiting("ErrImagePull", PULL_ERROR)));
    clock.advance(GRACE.minusSeconds(10));
    kit.runCommand(new ServiceCommand.PodObserved(running()));
    clock.advance(Duration.ofMinutes(5));
    assertTrue(kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).hasNoEvents());
    assertInstanceOf(ServiceState.Running.class, kit.getState());
  }

  @Test
  void otherWaitingReasonsNeverFailTheModel() {
    toCreated();
    kit.runCommand(new ServiceCommand.PodObserved(waiting("CreateContainerConfigError", "secret \"s\" not found")));
    clock.advance(Duration.ofHours(1));
    assertTrue(kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).hasNoEvents());
    assertTrue(kit.runCommand(new ServiceCommand.PodObserved(waiting("ContainerCreating", null))).hasNoEvents());
    assertInstanceOf(ServiceState.Created.class, kit.getState());
  }

  @Test
  void aRestartStartsTheGraceAgain() {
    toCreated();
    kit.runCommand(new ServiceCommand.PodObserved(waiting("ErrImagePull", PULL_ERROR)));
    clock.advance(GRACE.minusSeconds(1));
    kit.restart();
    clock.advance(Duration.ofSeconds(1));
    assertTrue(kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).hasNoEvents(), "nothing seen since the restart");
    assertTrue(kit.runCommand(new ServiceCommand.PodObserved(waiting("ImagePullBackOff", null))).hasNoEvents());
    clock.advance(GRACE);
    assertEquals(ExitCodes.IMAGE_NOT_PULLED,
        kit.runCommand(ServiceEntity.ServiceTick.INSTANCE).eventOfType(ServiceFailed.class).exitCode());
  }
}
