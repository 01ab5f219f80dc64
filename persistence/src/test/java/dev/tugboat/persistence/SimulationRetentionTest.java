package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

/** The removal of ended and rejected simulations after ended-retention (docs/state-machines.md). */
class SimulationRetentionTest {

  private static final Duration RETENTION = Duration.ofDays(7);
  private static ActorTestKit testKit;

  private MutableClock clock;
  private ProbeDirectory directory;
  private TestProbe<ClusterSharding.ShardCommand> shard;
  private RecordingRemoval removal;
  private String simulationId;
  private EventSourcedBehaviorTestKit<SimulationCommand, SimulationEvent, SimulationState> kit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("SimulationRetentionTest", TestSupport.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    directory = new ProbeDirectory(testKit);
    shard = testKit.createTestProbe(ClusterSharding.ShardCommand.class);
    removal = new RecordingRemoval();
    simulationId = "sim-" + UUID.randomUUID().toString().substring(0, 8);
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        SimulationEntity.create(simulationId, SimulationWiring.of(directory,
            TestSupport.settings(clock).withEndedRetention(RETENTION), new NotificationTags(4), TestSupport.sealer())
            .withRemoval(removal), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  private static ModelSpec model(String id) {
    return new ModelSpec(id, "registry/model:1", List.of(new EnvVar("EXIT_CODE", "0")));
  }

  /** Deploys m0 and m1, has both Creates accepted, both models end and every notification delivered. */
  private void runToEndedAndDelivered() {
    assertInstanceOf(CommandReply.Accepted.class, kit.<CommandReply>runCommand(
        r -> new SimulationCommand.Deploy("204-asd", List.of(model("m0"), model("m1")), 1.0, r)).reply());
    for (int i = 0; i < 2; i++) {
      ((ServiceCommand.Create) directory.services.receiveMessage()).replyTo().tell(CommandReply.accepted());
    }
    for (String m : List.of("m0", "m1")) {
      assertInstanceOf(CommandReply.Accepted.class, kit.<CommandReply>runCommand(
          r -> new SimulationCommand.ReportServiceTerminated(m, TerminationStatus.SUCCEEDED, 0, "", r)).reply());
    }
    assertInstanceOf(SimulationState.Ended.class, kit.getState());
    assertInstanceOf(CommandReply.Accepted.class, kit.<CommandReply>runCommand(
        r -> new SimulationMessages.NotificationsDelivered(List.of(1L, 2L, 3L), r)).reply());
  }

  /** The Remove each service is asked, answered with {@code reply}; returns the model ids asked. */
  private List<String> answerRemoves(int n, CommandReply reply) {
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> {
      ServiceEntity.Remove remove = (ServiceEntity.Remove) directory.services.receiveMessage();
      remove.replyTo().tell(reply);
      return remove.toString();
    }).toList();
  }

  private String persistenceId() {
    return "Simulation|" + simulationId;
  }

  @Test
  void anEndedSimulationStopsUntilItsRetentionIsOverThenRemovesItsServicesAndItself() {
    runToEndedAndDelivered();
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    clock.advance(RETENTION.minusSeconds(1));
    kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
    kit.runCommand(SimulationMessages.CheckRetention.INSTANCE);
    directory.services.expectNoMessage(Duration.ofMillis(100));
    assertEquals(List.of(), removal.removed);

    clock.advance(Duration.ofSeconds(2));
    kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
    ServiceEntity.Remove first = (ServiceEntity.Remove) directory.services.receiveMessage();
    ServiceEntity.Remove second = (ServiceEntity.Remove) directory.services.receiveMessage();
    first.replyTo().tell(CommandReply.accepted());
    // Its own rows go only after every service's.
    directory.services.expectNoMessage(Duration.ofMillis(100));
    assertEquals(List.of(), removal.removed);
    second.replyTo().tell(new CommandReply.Accepted("no journal"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> removal.removed.equals(List.of(persistenceId())));
  }

  @Test
  void aSimulationWhoseServiceStillOwnsItsPodIsKeptAndAskedAgainLater() {
    runToEndedAndDelivered();
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    clock.advance(RETENTION.plusSeconds(1));
    kit.restart();
    ServiceEntity.Remove first = (ServiceEntity.Remove) directory.services.receiveMessage();
    ServiceEntity.Remove second = (ServiceEntity.Remove) directory.services.receiveMessage();
    first.replyTo().tell(CommandReply.accepted());
    second.replyTo().tell(new CommandReply.Rejected("service still owns its pod (phase TERMINATED)"));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    assertEquals(List.of(), removal.removed);
    assertInstanceOf(SimulationState.Ended.class, kit.getState());

    // The next sweep wakes a new incarnation: the service has deleted its pod by then.
    kit.restart();
    answerRemoves(2, CommandReply.accepted());
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> removal.removed.equals(List.of(persistenceId())));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void recoveryAfterACrashBetweenTheServicesAndItsOwnRowsFinishesTheRemoval() {
    runToEndedAndDelivered();
    clock.advance(RETENTION.plusSeconds(1));
    kit.runCommand(SimulationMessages.CheckRetention.INSTANCE);
    ServiceEntity.Remove first = (ServiceEntity.Remove) directory.services.receiveMessage();
    directory.services.receiveMessage(); // the second one's answer is lost with the crash
    first.replyTo().tell(CommandReply.accepted());
    directory.services.expectNoMessage(Duration.ofMillis(100));
    assertEquals(List.of(), removal.removed);

    kit.restart();
    // The service removed before answers "no journal" now; removing again is harmless.
    answerRemoves(2, new CommandReply.Accepted("no journal"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> removal.removed.equals(List.of(persistenceId())));
    shard.expectMessageClass(ClusterSharding.Passivate.class); // the first incarnation's, once delivered
    shard.expectMessageClass(ClusterSharding.Passivate.class); // after the removal
  }

  @Test
  void aRejectedSimulationIsRemovedAfterItsRetentionWithoutAskingAnyService() {
    assertInstanceOf(CommandReply.Rejected.class, kit.<CommandReply>runCommand(
        r -> new SimulationCommand.Deploy("204-asd", List.of(), 1.0, r)).reply());
    assertInstanceOf(CommandReply.Accepted.class, kit.<CommandReply>runCommand(
        r -> new SimulationMessages.NotificationsDelivered(List.of(1L), r)).reply());
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    kit.restart();
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    assertEquals(List.of(), removal.removed);

    clock.advance(RETENTION.plusSeconds(1));
    kit.restart();
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> removal.removed.equals(List.of(persistenceId())));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    directory.services.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void anEndedSimulationWithUndeliveredNotificationsIsNotRemoved() {
    assertInstanceOf(CommandReply.Accepted.class, kit.<CommandReply>runCommand(
        r -> new SimulationCommand.Deploy("204-asd", List.of(model("m0")), 1.0, r)).reply());
    ((ServiceCommand.Create) directory.services.receiveMessage()).replyTo().tell(CommandReply.accepted());
    kit.<CommandReply>runCommand(
        r -> new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.SUCCEEDED, 0, "", r));
    clock.advance(RETENTION.multipliedBy(3));
    kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
    kit.runCommand(SimulationMessages.CheckRetention.INSTANCE);
    kit.restart();
    directory.services.expectNoMessage(Duration.ofMillis(100));
    assertEquals(List.of(), removal.removed);
  }

  @Test
  void anActiveSimulationIsNeverRemoved() {
    assertInstanceOf(CommandReply.Accepted.class, kit.<CommandReply>runCommand(
        r -> new SimulationCommand.Deploy("204-asd", List.of(model("m0"), model("m1")), 1.0, r)).reply());
    for (int i = 0; i < 2; i++) {
      ((ServiceCommand.Create) directory.services.receiveMessage()).replyTo().tell(CommandReply.accepted());
    }
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> kit.getState() instanceof SimulationState.Active a
        && a.deployment().models().awaitingCreateCount() == 0);
    kit.<CommandReply>runCommand(
        r -> new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.SUCCEEDED, 0, "", r));
    clock.advance(RETENTION.multipliedBy(3));
    kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
    kit.runCommand(SimulationMessages.CheckRetention.INSTANCE);
    kit.restart();
    directory.services.expectNoMessage(Duration.ofMillis(100));
    shard.expectNoMessage(Duration.ofMillis(50));
    assertEquals(List.of(), removal.removed);
    assertInstanceOf(SimulationState.Active.class, kit.getState());
  }
}
