package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.TerminationRequested;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationReply;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An operator's Terminate on the Simulation entity: every transition, the rejections, and recovery mid-terminate. */
class SimulationTerminateTest {

  private static ActorTestKit testKit;

  private ProbeDirectory directory;
  private TestProbe<ClusterSharding.ShardCommand> shard;
  private String simulationId;
  private EventSourcedBehaviorTestKit<SimulationCommand, SimulationEvent, SimulationState> kit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("SimulationTerminateTest", TestSupport.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    directory = new ProbeDirectory(testKit);
    shard = testKit.createTestProbe(ClusterSharding.ShardCommand.class);
    simulationId = "sim-" + UUID.randomUUID().toString().substring(0, 8);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        SimulationEntity.create(simulationId, SimulationWiring.of(directory,
            TestSupport.settings(new MutableClock(Instant.parse("2025-01-01T00:00:00Z"))), new NotificationTags(4),
            TestSupport.sealer()), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  private static ModelSpec model(String id) {
    return new ModelSpec(id, "registry/model:1", List.of());
  }

  /** Deploys m0 and m1 and acknowledges both Creates. */
  private void deployTwo() {
    assertInstanceOf(CommandReply.Accepted.class, kit.<CommandReply>runCommand(
        r -> new SimulationCommand.Deploy("204-asd", List.of(model("m0"), model("m1")), 1.0, r)).reply());
    for (int i = 0; i < 2; i++) {
      ((ServiceCommand.Create) directory.services.receiveMessage()).replyTo().tell(CommandReply.accepted());
    }
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> kit.getState() instanceof SimulationState.Active a
        && a.deployment().models().stream().allMatch(SimulationState.Model::createAcknowledged));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<SimulationCommand, SimulationEvent, SimulationState,
      CommandReply> terminate() {
    return kit.runCommand(r -> new SimulationCommand.Terminate("maintenance", "ops", r));
  }

  /** The Terminates sent to the services, by model id. */
  private Map<String, ServiceCommand.Terminate> expectTerminates(int n) {
    Map<String, ServiceCommand.Terminate> byModel = new HashMap<>();
    for (int i = 0; i < n; i++) {
      ServiceCommand.Terminate t = assertInstanceOf(ServiceCommand.Terminate.class,
          directory.services.receiveMessage());
      byModel.put(t.spec().modelId(), t);
    }
    return byModel;
  }

  private CommandReply reportTerminated(String modelId) {
    return kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated(modelId,
        TerminationStatus.FAILED, ExitCodes.TERMINATED, "terminated by ops: maintenance", r)).reply();
  }

  private List<Notification> owed() {
    SimulationState state = kit.getState();
    Outbox outbox = state instanceof SimulationState.Active a ? a.outbox()
        : state instanceof SimulationState.Ended e ? e.outbox() : Outbox.empty();
    return outbox.pending().stream().map(Outbox.Entry::notification).toList();
  }

  private List<SimulationEvent> persisted() {
    return kit.persistenceTestKit().persistedInStorage("Simulation|" + simulationId).stream()
        .map(SimulationEvent.class::cast).toList();
  }

  @Test
  void terminateStopsEveryServiceAndTheSimulationEndsOnceAllReported() {
    deployTwo();
    var result = terminate();
    assertEquals(new CommandReply.Accepted("terminating"), result.reply());
    TerminationRequested e = result.eventOfType(TerminationRequested.class);
    assertEquals("ops", e.who());
    assertEquals("maintenance", e.reason());

    Map<String, ServiceCommand.Terminate> asked = expectTerminates(2);
    assertEquals(Set.of("m0", "m1"), asked.keySet());
    assertEquals("terminated by ops: maintenance", asked.get("m0").reason());
    asked.values().forEach(t -> t.replyTo().tell(CommandReply.accepted()));

    var again = terminate();
    assertEquals(new CommandReply.Accepted("already terminating"), again.reply());
    assertTrue(again.hasNoEvents());

    assertEquals(CommandReply.accepted(), reportTerminated("m0"));
    assertEquals(CommandReply.accepted(), reportTerminated("m1"));
    assertInstanceOf(SimulationState.Ended.class, kit.getState());
    assertEquals(List.of(
        new Notification.ModelHasTerminated(simulationId, "m0", TerminationStatus.FAILED, ExitCodes.TERMINATED),
        new Notification.ModelHasTerminated(simulationId, "m1", TerminationStatus.FAILED, ExitCodes.TERMINATED),
        new Notification.AllModelsHaveTerminated(simulationId)), owed());
    assertEquals(1, persisted().stream().filter(AllModelsHaveTerminatedQueued.class::isInstance).count());

    var afterEnd = terminate();
    assertEquals(new CommandReply.Duplicate("simulation has ended"), afterEnd.reply());
    assertTrue(afterEnd.hasNoEvents());
    var view = assertInstanceOf(SimulationReply.Found.class,
        kit.<SimulationReply>runCommand(SimulationCommand.Get::new).reply()).simulation();
    assertEquals("terminated by ops: maintenance", view.reason());
  }

  @Test
  void terminatingAnUnknownSimulationIsRejectedAndPersistsNothing() {
    var result = terminate();
    assertEquals(new CommandReply.Rejected("unknown simulation"), result.reply());
    assertTrue(result.hasNoEvents());
    assertInstanceOf(SimulationState.Empty.class, kit.getState());
    directory.services.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aTerminatingSimulationSendsNoMoreCreatesAndStopsModelsNeverCreated() {
    kit.<CommandReply>runCommand(r -> new SimulationCommand.Deploy("204-asd", List.of(model("m0"), model("m1")), 1.0, r));
    ServiceCommand.Create c0 = (ServiceCommand.Create) directory.services.receiveMessage();
    ServiceCommand.Create c1 = (ServiceCommand.Create) directory.services.receiveMessage();
    terminate();
    assertEquals(Set.of("m0", "m1"), expectTerminates(2).keySet());
    // Creates answered without acceptance are re-sent on a tick while deploying; not once terminating.
    c0.replyTo().tell(new CommandReply.Duplicate("not accepted"));
    c1.replyTo().tell(new CommandReply.Duplicate("not accepted"));
    for (int i = 0; i < 5; i++) {
      kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
      directory.services.expectNoMessage(Duration.ofMillis(60));
    }
  }

  @Test
  void aRestartMidTerminateAsksOnlyTheServicesThatHaveNotEnded() {
    deployTwo();
    terminate();
    expectTerminates(2);
    assertEquals(CommandReply.accepted(), reportTerminated("m0"));

    kit.restart();
    SimulationState.Active recovered = assertInstanceOf(SimulationState.Active.class, kit.getState());
    assertTrue(recovered.deployment().terminating());
    Map<String, ServiceCommand.Terminate> asked = expectTerminates(1);
    assertEquals(Set.of("m1"), asked.keySet());
    asked.get("m1").replyTo().tell(CommandReply.accepted());

    assertEquals(CommandReply.accepted(), reportTerminated("m1"));
    assertInstanceOf(SimulationState.Ended.class, kit.getState());
    assertEquals(1, persisted().stream().filter(TerminationRequested.class::isInstance).count());
    assertEquals(2, persisted().stream().filter(ModelTerminated.class::isInstance).count());
  }

  @Test
  void aServiceThatRefusesToStopHasItsModelEndedByTheSimulation() {
    deployTwo();
    terminate();
    Map<String, ServiceCommand.Terminate> asked = expectTerminates(2);
    asked.get("m0").replyTo().tell(new CommandReply.Rejected("service exists with a different spec"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> persisted().stream()
        .anyMatch(ev -> ev instanceof ModelTerminated t && t.modelId().equals("m0")));
    ModelTerminated t = persisted().stream().filter(ModelTerminated.class::isInstance).map(ModelTerminated.class::cast)
        .findFirst().orElseThrow();
    assertEquals(ExitCodes.TERMINATED, t.exitCode());
    assertEquals(TerminationStatus.FAILED, t.status());
  }
}
