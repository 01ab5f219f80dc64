package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.DeploymentRejected;
import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationEvent.NotificationAbandoned;
import dev.tugboat.persistence.SimulationEvent.NotificationDelivered;
import dev.tugboat.persistence.SimulationEvent.ServiceCreateAcknowledged;
import dev.tugboat.persistence.SimulationEvent.SimulationDeployed;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationReply;
import dev.tugboat.protocol.simulation.SimulationView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SimulationEntityTest {

  private static ActorTestKit testKit;

  private MutableClock clock;
  private ProbeDirectory directory;
  private static final NotificationTags TAGS = new NotificationTags(4);
  private TestProbe<ClusterSharding.ShardCommand> shard;
  private String simulationId;
  private EventSourcedBehaviorTestKit<SimulationCommand, SimulationEvent, SimulationState> kit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("SimulationEntityTest", TestSupport.config());
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
    simulationId = "sim-" + UUID.randomUUID().toString().substring(0, 8);
    kit = kitFor(simulationId);
  }

  private EventSourcedBehaviorTestKit<SimulationCommand, SimulationEvent, SimulationState> kitFor(String id) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        SimulationEntity.create(id, wiring(TestSupport.settings(clock)), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  /**
   * A kit on {@code settings}, for another simulation id: setUp's entity must not share its
   * persistence id (its recovery, late on a slow machine, would replay this one's events and send
   * Creates to the same directory).
   */
  private void useSettings(EntitySettings settings) {
    simulationId = simulationId + "-own";
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        SimulationEntity.create(simulationId, wiring(settings), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  private SimulationWiring wiring(EntitySettings settings) {
    return SimulationWiring.of(directory, settings, TAGS, TestSupport.sealer());
  }

  private static ModelSpec model(String id) {
    return new ModelSpec(id, "registry/model:1", List.of(new EnvVar("EXIT_CODE", "0")));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<SimulationCommand, SimulationEvent, SimulationState,
      CommandReply> deploy(List<ModelSpec> models, double keepLogsHours) {
    return kit.runCommand(r -> new SimulationCommand.Deploy("204-asd", models, keepLogsHours, r));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<SimulationCommand, SimulationEvent, SimulationState,
      CommandReply> refuse(String reason) {
    return kit.runCommand(r -> new SimulationCommand.RefuseDeploy("204-asd", reason, r));
  }

  /** Deploys m0 and m1 and acknowledges both Creates. */
  private void deployTwo() {
    assertInstanceOf(CommandReply.Accepted.class, deploy(List.of(model("m0"), model("m1")), 1.0).reply());
    acceptCreates(2);
  }

  private void acceptCreates(int n) {
    for (int i = 0; i < n; i++) {
      ServiceCommand.Create c = (ServiceCommand.Create) directory.services.receiveMessage();
      c.replyTo().tell(CommandReply.accepted());
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
        kit.getState() instanceof SimulationState.Active a
            && a.deployment().models().stream().filter(SimulationState.Model::createAcknowledged).count() >= n);
  }

  /** What the notification projection tells the entity after the broker acknowledged {@code ids}. */
  private CommandReply delivered(Long... ids) {
    return kit.<CommandReply>runCommand(r -> new SimulationMessages.NotificationsDelivered(List.of(ids), r)).reply();
  }

  /** The notifications still owed, in outbox order. */
  private List<Notification> owed() {
    SimulationState state = kit.getState();
    Outbox outbox = state instanceof SimulationState.Active a ? a.outbox()
        : state instanceof SimulationState.Ended e ? e.outbox()
        : state instanceof SimulationState.Rejected r ? r.outbox() : Outbox.empty();
    return outbox.pending().stream().map(Outbox.Entry::notification).toList();
  }

  private List<SimulationEvent> persisted() {
    return kit.persistenceTestKit().persistedInStorage("Simulation|" + simulationId).stream()
        .map(SimulationEvent.class::cast).toList();
  }

  /** A report's reply and the events journaled for it (its reply is sent after the flush wrote them). */
  private record Reported(CommandReply reply, List<SimulationEvent> events) {}

  private Reported report(Function<ActorRef<CommandReply>, SimulationCommand> creator) {
    int before = persisted().size();
    CommandReply reply = kit.<CommandReply>runCommand(creator::apply).reply();
    List<SimulationEvent> all = persisted();
    return new Reported(reply, all.subList(before, all.size()));
  }

  private SimulationView view() {
    SimulationReply reply = kit.<SimulationReply>runCommand(SimulationCommand.Get::new).reply();
    return assertInstanceOf(SimulationReply.Found.class, reply).simulation();
  }

  @Test
  void validDeployPersistsAndCreatesEveryService() {
    var result = deploy(List.of(model("m0"), model("m1")), 2.5);
    assertInstanceOf(CommandReply.Accepted.class, result.reply());
    SimulationDeployed e = result.eventOfType(SimulationDeployed.class);
    assertEquals(List.of("204-asd-" + simulationId + "-m0", "204-asd-" + simulationId + "-m1"),
        e.services().stream().map(s -> s.podName()).toList());
    assertEquals(2.5, e.keepLogsHours());
    var c1 = (ServiceCommand.Create) directory.services.receiveMessage();
    var c2 = (ServiceCommand.Create) directory.services.receiveMessage();
    assertEquals(java.util.Set.of("m0", "m1"), java.util.Set.of(c1.spec().modelId(), c2.spec().modelId()));
    c1.replyTo().tell(CommandReply.accepted());
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
        ((SimulationState.Active) kit.getState()).deployment().model(c1.spec().modelId()).get().createAcknowledged());

    // The unacknowledged one is sent again on the tick, the acknowledged one not.
    c2.replyTo().tell(new CommandReply.Rejected("ignored: the entity retries only after its own ask ended"));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
        ((SimulationState.Active) kit.getState()).deployment().model(c2.spec().modelId()).get().termination() != null);
    assertEquals(ExitCodes.POD_NOT_CREATED, view().models().stream()
        .filter(m -> m.modelId().equals(c2.spec().modelId())).findFirst().orElseThrow().exitCode());
  }

  @Test
  void unacknowledgedCreatesAreResentOnTickAndAfterRestart() {
    deploy(List.of(model("m0")), 0);
    var first = (ServiceCommand.Create) directory.services.receiveMessage();
    kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
    directory.services.expectNoMessage(Duration.ofMillis(100)); // still in flight: no pile-up
    kit.restart();
    var again = (ServiceCommand.Create) directory.services.receiveMessage();
    assertEquals(first.spec(), again.spec());
    again.replyTo().tell(CommandReply.accepted());
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
        ((SimulationState.Active) kit.getState()).deployment().models().get(0).createAcknowledged());
    kit.restart();
    kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
    directory.services.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void atMostCreateWindowCreatesAreUnansweredAndAnswersRefillTheWindowInModelOrder() {
    useSettings(TestSupport.settings(clock).withCreateWindow(2));
    deploy(List.of(model("m0"), model("m1"), model("m2"), model("m3"), model("m4")), 0);
    var c0 = (ServiceCommand.Create) directory.services.receiveMessage();
    var c1 = (ServiceCommand.Create) directory.services.receiveMessage();
    directory.services.expectNoMessage(Duration.ofMillis(200)); // the window is full
    assertEquals(List.of("m0", "m1"), List.of(c0.spec().modelId(), c1.spec().modelId()));

    c0.replyTo().tell(CommandReply.accepted());
    var c2 = (ServiceCommand.Create) directory.services.receiveMessage();
    assertEquals("m2", c2.spec().modelId());
    directory.services.expectNoMessage(Duration.ofMillis(200));

    // An unanswered Create keeps its slot until its ask ends; answers free slots for the rest.
    c1.replyTo().tell(CommandReply.accepted());
    c2.replyTo().tell(CommandReply.accepted());
    var c3 = (ServiceCommand.Create) directory.services.receiveMessage();
    var c4 = (ServiceCommand.Create) directory.services.receiveMessage();
    assertEquals(List.of("m3", "m4"), List.of(c3.spec().modelId(), c4.spec().modelId()));
    c3.replyTo().tell(CommandReply.accepted());
    c4.replyTo().tell(CommandReply.accepted());
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
        ((SimulationState.Active) kit.getState()).deployment().models().awaitingCreateCount() == 0);
    // The acknowledgements were batched, and a tick owes nothing.
    long acks = persisted().stream().filter(e -> e instanceof SimulationEvent.ServiceCreateAcknowledged).count();
    assertEquals(5, acks);
    kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
    directory.services.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void servicesThatNeverAcceptAreReportedFailedAfterTheDeadline() {
    deploy(List.of(model("m0")), 0);
    directory.services.receiveMessage();
    clock.advance(Duration.ofMinutes(10));
    var result = kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
    assertEquals(2, result.events().size());
    assertEquals(ExitCodes.POD_NOT_CREATED, result.eventOfType(ModelTerminated.class).exitCode());
    assertInstanceOf(SimulationState.Ended.class, kit.getState());
  }

  @Test
  void theCreateDeadlineCountsFromTheFirstSendOfThisIncarnationNotFromTheDeployment() {
    deploy(List.of(model("m0")), 0);
    directory.services.receiveMessage();
    // The node hosting the simulation dies; it recovers elsewhere after the deadline has passed.
    clock.advance(Duration.ofMinutes(10));
    kit.restart();
    var again = (ServiceCommand.Create) directory.services.receiveMessage();
    assertEquals("m0", again.spec().modelId());
    var tick = kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
    assertTrue(tick.events().isEmpty(), "a service asked again just now is not failed");
    assertInstanceOf(SimulationState.Active.class, kit.getState());
    // Still unanswered a whole deadline after this incarnation asked: FAILED.
    clock.advance(Duration.ofMinutes(10));
    var late = kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
    assertEquals(ExitCodes.POD_NOT_CREATED, late.eventOfType(ModelTerminated.class).exitCode());
  }

  @Test
  void withHoldOnFailureAnUnacceptedCreateIsResentInsteadOfReportedFailed() {
    useSettings(TestSupport.settings(clock).withHoldOnFailure(true));
    deploy(List.of(model("m0")), 0);
    directory.services.receiveMessage();
    // What the ask delivers when the service never answers within ask-timeout.
    kit.runCommand(new SimulationMessages.ServiceAnsweredCreate("m0", null, "timed out"));
    clock.advance(Duration.ofMinutes(10));
    var result = kit.runCommand(SimulationMessages.SimulationTick.INSTANCE);
    assertTrue(result.hasNoEvents());
    assertEquals("m0", ((ServiceCommand.Create) directory.services.receiveMessage()).spec().modelId());
    assertInstanceOf(SimulationState.Active.class, kit.getState());
    assertEquals(List.of(), owed());
  }

  @Test
  void repeatedDeployIsADuplicateAndADifferentOneIsAConflict() {
    deployTwo();
    var again = deploy(List.of(model("m0"), model("m1")), 1.0);
    assertEquals(new CommandReply.Duplicate("already deployed"), again.reply());
    assertTrue(again.hasNoEvents());
    var other = deploy(List.of(model("m0")), 1.0);
    assertEquals(new CommandReply.Conflict("simulation already deployed with different content"), other.reply());
    assertTrue(other.hasNoEvents());
    directory.services.expectNoMessage(Duration.ofMillis(50));
  }

  static Stream<Arguments> badDeploys() {
    ModelSpec blank = new ModelSpec("m1", " ", List.of());
    return Stream.of(
        Arguments.of("empty model list", List.of(), 1.0, List.of(), "no models"),
        Arguments.of("duplicate ids", List.of(model("m0"), model("m0")), 1.0, List.of("m0"), "duplicate modelId"),
        Arguments.of("invalid id", List.of(model("m0"), model("bad/id")), 1.0, List.of("m0"), "MQTT topic character"),
        Arguments.of("whitespace id", List.of(model("a b")), 1.0, List.of(), "whitespace"),
        Arguments.of("blank image", List.of(model("m0"), blank), 1.0, List.of("m0", "m1"), "no imageUrl"),
        Arguments.of("NaN keepLogsHours", List.of(model("m0")), Double.NaN, List.of("m0"), "keepLogsHours"),
        Arguments.of("negative keepLogsHours", List.of(model("m0")), -1.0, List.of("m0"), "keepLogsHours"),
        Arguments.of("infinite keepLogsHours", List.of(model("m0")), Double.POSITIVE_INFINITY, List.of("m0"),
            "keepLogsHours"),
        Arguments.of("colliding pod names", List.of(model("Model"), model("model")), 1.0, List.of("Model", "model"),
            "same pod name"),
        Arguments.of("4-byte character in a model id", List.of(model("m0"), model("m\uD83D\uDE80")), 1.0,
            List.of("m0"), "cannot carry unchanged"),
        Arguments.of("keepLogsHours beyond a year", List.of(model("m0")), 1e308, List.of("m0"), "keepLogsHours"),
        Arguments.of("image no registry can pull", List.of(new ModelSpec("m0", "not an image", List.of())), 1.0,
            List.of("m0"), "not a valid image reference"),
        Arguments.of("env name Kubernetes refuses", List.of(new ModelSpec("m0", "img:1",
            List.of(new dev.tugboat.protocol.EnvVar("MQTT HOST", "x")))), 1.0, List.of("m0"),
            "not a valid environment variable name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badDeploys")
  void invalidDeployIsRejectedAndEveryModelReportedFailed(String name, List<ModelSpec> models, double keep,
      List<String> reported, String reasonPart) {
    var result = deploy(models, keep);
    String reason = assertInstanceOf(CommandReply.Rejected.class, result.reply()).reason();
    assertTrue(reason.contains(reasonPart), reason);
    DeploymentRejected e = result.eventOfType(DeploymentRejected.class);
    assertEquals(reported, e.modelIds());
    assertInstanceOf(SimulationState.Rejected.class, kit.getState());

    List<Notification> expected = new ArrayList<>(reported.stream().map(id -> (Notification)
        new Notification.ModelHasTerminated(simulationId, id, TerminationStatus.FAILED,
            ExitCodes.INVALID_CONFIGURATION)).toList());
    expected.add(new Notification.AllModelsHaveTerminated(simulationId));
    assertEquals(expected, owed());
    assertEquals(expected, NotificationHandler.notificationsQueuedBy(e).stream()
        .map(Outbox.Entry::notification).toList());
    Long[] ids = java.util.stream.LongStream.rangeClosed(1, expected.size()).boxed().toArray(Long[]::new);
    assertEquals(CommandReply.accepted(), delivered(ids));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    assertEquals(SimulationView.Phase.REJECTED, view().phase());
    assertTrue(view().allModelsHaveTerminatedSent());

    // A redelivered DeployModels changes nothing.
    var again = deploy(models, keep);
    assertInstanceOf(CommandReply.Rejected.class, again.reply());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void aRefusedDeployIsJournaledWithoutModelsSoTheSoGetsItsEnd() {
    var result = refuse("too large");
    assertEquals(new CommandReply.Rejected("too large"), result.reply());
    DeploymentRejected e = result.eventOfType(DeploymentRejected.class);
    assertEquals(List.of(), e.modelIds());
    assertEquals("too large", e.reason());
    assertEquals(List.of(new Notification.AllModelsHaveTerminated(simulationId)), owed());

    // Neither a redelivered refusal nor a valid DeployModels later changes it.
    var again = refuse("too large");
    assertInstanceOf(CommandReply.Rejected.class, again.reply());
    assertTrue(again.hasNoEvents());
    assertTrue(deploy(List.of(model("m0")), 1.0).hasNoEvents());
  }

  @Test
  void aRefusalForARunningSimulationChangesNothing() {
    deployTwo();
    var result = refuse("too large");
    assertTrue(assertInstanceOf(CommandReply.Rejected.class, result.reply()).reason().contains("already exists"));
    assertTrue(result.hasNoEvents());
    assertInstanceOf(SimulationState.Active.class, kit.getState());
  }

  @Test
  void aRefusalWithAnInvalidSimulationIdIsNotPersisted() {
    kit = kitFor("bad\uD83D\uDE80sim");
    var result = refuse("too large");
    assertInstanceOf(CommandReply.Rejected.class, result.reply());
    assertTrue(result.hasNoEvents());
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void deployWithInvalidSimulationIdIsRejectedWithoutPersisting() {
    kit = kitFor("bad+sim");
    var result = deploy(List.of(model("m0")), 1.0);
    assertInstanceOf(CommandReply.Rejected.class, result.reply());
    assertTrue(result.hasNoEvents());
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void emptySimulationRejectsReportsAndAnswersNotFound() {
    assertEquals(new CommandReply.Rejected("unknown simulation"),
        kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportModelReady("m0", r)).reply());
    assertEquals(new CommandReply.Rejected("unknown simulation"), kit.<CommandReply>runCommand(
        r -> new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.SUCCEEDED, 0, "", r)).reply());
    assertEquals(new SimulationReply.NotFound(simulationId),
        kit.<SimulationReply>runCommand(SimulationCommand.Get::new).reply());
    assertEquals(new CommandReply.Rejected("unknown simulation"), delivered(1L));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    assertInstanceOf(SimulationState.Empty.class, kit.getState());
  }

  @Test
  void modelsReadyIsQueuedOnceEveryModelIsReady() {
    deployTwo();
    var unknown = kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportModelReady("nope", r));
    assertInstanceOf(CommandReply.Rejected.class, unknown.reply());
    assertTrue(unknown.hasNoEvents());

    var first = report(r -> new SimulationCommand.ReportModelReady("m0", r));
    assertInstanceOf(CommandReply.Accepted.class, first.reply());
    assertEquals(List.of(new ModelReady(simulationId, "m0", clock.instant())), first.events());
    assertTrue(kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportModelReady("m0", r)).hasNoEvents());
    assertEquals(SimulationView.Phase.DEPLOYING, view().phase());

    var last = report(r -> new SimulationCommand.ReportModelReady("m1", r));
    assertEquals(2, last.events().size());
    assertEquals(1, ((ModelsReadyQueued) last.events().get(1)).outboxId());
    assertEquals(List.of(new Notification.ModelsReady(simulationId)), owed());
    assertEquals(SimulationView.Phase.READY, view().phase());
    assertTrue(!view().modelsReadySent());
    assertEquals(CommandReply.accepted(), delivered(1L));
    assertTrue(view().modelsReadySent());
    assertEquals(0, view().pendingNotifications());
  }

  @Test
  void terminationsFillTheOutboxAndEndTheSimulation() {
    deployTwo();
    var unknown = kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated("x", TerminationStatus.FAILED, 1,
        "", r));
    assertInstanceOf(CommandReply.Rejected.class, unknown.reply());

    var first = report(r -> new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.FAILED, 2,
        "Error", r));
    assertInstanceOf(CommandReply.Accepted.class, first.reply());
    assertEquals(2, ((ModelTerminated) first.events().get(0)).exitCode());
    var repeat = kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.FAILED, 2,
        "Error", r));
    assertInstanceOf(CommandReply.Accepted.class, repeat.reply());
    assertTrue(repeat.hasNoEvents());
    assertEquals(List.of(new Notification.ModelHasTerminated(simulationId, "m0", TerminationStatus.FAILED, 2)),
        owed());

    var last = report(r -> new SimulationCommand.ReportServiceTerminated("m1", TerminationStatus.SUCCEEDED, 0,
        "Completed", r));
    assertEquals(2, last.events().size());
    assertInstanceOf(AllModelsHaveTerminatedQueued.class, last.events().get(1));
    assertInstanceOf(SimulationState.Ended.class, kit.getState());
    assertEquals(List.of(
        new Notification.ModelHasTerminated(simulationId, "m0", TerminationStatus.FAILED, 2),
        new Notification.ModelHasTerminated(simulationId, "m1", TerminationStatus.SUCCEEDED, 0),
        new Notification.AllModelsHaveTerminated(simulationId)), owed());

    // Ended, but notifications still owed: it stays up (a tick changes nothing) until they are delivered.
    assertEquals(CommandReply.accepted(), delivered(2L));
    assertTrue(kit.runCommand(SimulationMessages.SimulationTick.INSTANCE).hasNoEvents());
    shard.expectNoMessage(Duration.ofMillis(50));
    assertEquals(2, view().pendingNotifications());
    // Ids already delivered or never queued add nothing.
    assertEquals(CommandReply.accepted(), delivered(2L, 99L));
    assertEquals(2, view().pendingNotifications());
    assertEquals(CommandReply.accepted(), delivered(1L, 3L));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    SimulationView v = view();
    assertEquals(SimulationView.Phase.ENDED, v.phase());
    assertTrue(v.allModelsHaveTerminatedSent());
    assertTrue(v.models().stream().allMatch(SimulationView.Model::terminated));

    // Woken again by a late report: it answers from its state.
    assertInstanceOf(CommandReply.Accepted.class, kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated(
        "m1", TerminationStatus.SUCCEEDED, 0, "", r)).reply());
  }

  private CommandReply terminated(String modelId, TerminationStatus status, int exitCode) {
    return kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated(modelId, status, exitCode,
        "", r)).reply();
  }

  private CommandReply ready(String modelId) {
    return kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportModelReady(modelId, r)).reply();
  }

  /** A model reported ready and exited at once; its end was seen before its report. */
  @Test
  void aReadyReportThatArrivesAfterEveryModelEndedQueuesModelsReadyBeforeTheEnd() {
    useSettings(TestSupport.settings(clock).withLateReadyGrace(Duration.ofHours(1)));
    deployTwo();
    assertEquals(CommandReply.accepted(), ready("m0"));
    assertEquals(CommandReply.accepted(), terminated("m0", TerminationStatus.SUCCEEDED, 0));
    var last = report(r -> new SimulationCommand.ReportServiceTerminated("m1", TerminationStatus.FAILED, 2, "", r));
    assertEquals(List.of(ModelTerminated.class), last.events().stream().map(Object::getClass).toList());
    assertInstanceOf(SimulationState.Active.class, kit.getState());
    // The wait survives a restart (the new incarnation waits again).
    kit.restart();
    assertInstanceOf(SimulationState.Active.class, kit.getState());

    var late = report(r -> new SimulationCommand.ReportModelReady("m1", r));
    assertEquals(CommandReply.accepted(), late.reply());
    assertEquals(List.of(new ModelReady(simulationId, "m1", clock.instant()),
        new ModelsReadyQueued(simulationId, 3, clock.instant()),
        new AllModelsHaveTerminatedQueued(simulationId, 4, clock.instant())), late.events());
    assertInstanceOf(SimulationState.Ended.class, kit.getState());
    assertEquals(List.of(
        new Notification.ModelHasTerminated(simulationId, "m0", TerminationStatus.SUCCEEDED, 0),
        new Notification.ModelHasTerminated(simulationId, "m1", TerminationStatus.FAILED, 2),
        new Notification.ModelsReady(simulationId),
        new Notification.AllModelsHaveTerminated(simulationId)), owed());
  }

  @Test
  void whenNoLateReadyReportComesTheEndIsQueuedAfterTheGraceAlsoAfterARestart() {
    simulationId = simulationId + "-grace";
    EntitySettings waitLong = TestSupport.settings(clock).withLateReadyGrace(Duration.ofHours(1));
    ActorRef<SimulationCommand> first = testKit.spawn(SimulationEntity.create(simulationId, wiring(waitLong), shard.ref()));
    TestProbe<CommandReply> replies = testKit.createTestProbe(CommandReply.class);
    first.tell(new SimulationCommand.Deploy("204-asd", List.of(model("m0"), model("m1")), 1.0, replies.ref()));
    replies.expectMessage(CommandReply.accepted());
    for (String modelId : List.of("m0", "m1")) {
      first.tell(new SimulationCommand.ReportServiceTerminated(modelId, TerminationStatus.SUCCEEDED, 0, "",
          replies.ref()));
      replies.expectMessage(CommandReply.accepted());
    }
    assertEquals(List.of(SimulationDeployed.class, ModelTerminated.class, ModelTerminated.class),
        persisted().stream().map(Object::getClass).toList());
    testKit.stop(first);

    // The next incarnation waits (again) and ends the simulation once its grace is over.
    ActorRef<SimulationCommand> second = testKit.spawn(SimulationEntity.create(simulationId,
        wiring(TestSupport.settings(clock).withLateReadyGrace(Duration.ofMillis(200))), shard.ref()));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
        persisted().get(persisted().size() - 1) instanceof AllModelsHaveTerminatedQueued);
    assertEquals(new AllModelsHaveTerminatedQueued(simulationId, 3, clock.instant()),
        persisted().get(persisted().size() - 1));
    assertEquals(4, persisted().size());
    // A report after the end is answered and changes nothing.
    second.tell(new SimulationCommand.ReportModelReady("m0", replies.ref()));
    replies.expectMessage(new CommandReply.Accepted("simulation ended"));
    assertEquals(4, persisted().size());
    testKit.stop(second);
  }

  @Test
  void noWaitWhenAModelThatNeverReportedReadyNeverHadAPod() {
    useSettings(TestSupport.settings(clock).withLateReadyGrace(Duration.ofHours(1)));
    deployTwo();
    assertEquals(CommandReply.accepted(), terminated("m0", TerminationStatus.SUCCEEDED, 0));
    var last = report(r -> new SimulationCommand.ReportServiceTerminated("m1", TerminationStatus.FAILED,
        ExitCodes.POD_NOT_CREATED, "image refused", r));
    assertEquals(List.of(ModelTerminated.class, AllModelsHaveTerminatedQueued.class),
        last.events().stream().map(Object::getClass).toList());
    assertInstanceOf(SimulationState.Ended.class, kit.getState());
  }

  @Test
  void noWaitOnceModelsReadyIsQueued() {
    useSettings(TestSupport.settings(clock).withLateReadyGrace(Duration.ofHours(1)));
    deployTwo();
    ready("m0");
    ready("m1");
    terminated("m0", TerminationStatus.SUCCEEDED, 0);
    var last = report(r -> new SimulationCommand.ReportServiceTerminated("m1", TerminationStatus.SUCCEEDED, 0, "",
        r));
    assertEquals(List.of(ModelTerminated.class, AllModelsHaveTerminatedQueued.class),
        last.events().stream().map(Object::getClass).toList());
  }

  @Test
  void owedNotificationsSurviveRecoveryUntilDelivered() {
    deployTwo();
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportModelReady("m0", r));
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportModelReady("m1", r));
    var restarted = kit.restart();
    assertInstanceOf(SimulationState.Active.class, restarted.state());
    assertEquals(List.of(new Notification.ModelsReady(simulationId)), owed());
    assertEquals(CommandReply.accepted(), delivered(1L));
    kit.restart();
    assertEquals(List.of(), owed());
    assertTrue(view().modelsReadySent());
  }

  @Test
  void endedSimulationStaysForEndedIdleThenPassivates() {
    useSettings(TestSupport.settings(clock).withEndedIdle(Duration.ofHours(1)));
    endTwo();
    shard.expectNoMessage(Duration.ofMillis(300));
    assertEquals(SimulationView.Phase.ENDED, view().phase());
    kit.runCommand(SimulationMessages.EndedIdleOver.INSTANCE);
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void eachReadOfAnEndedSimulationRestartsItsIdleWait() {
    Duration idle = Duration.ofSeconds(3);
    useSettings(TestSupport.settings(clock).withEndedIdle(idle));
    endTwo();
    long readUntil = System.nanoTime() + idle.multipliedBy(2).toNanos();
    while (System.nanoTime() < readUntil) {
      shard.expectNoMessage(Duration.ofMillis(500));
      assertEquals(SimulationView.Phase.ENDED, view().phase());
    }
    shard.expectMessageClass(ClusterSharding.Passivate.class, idle.multipliedBy(3));
  }

  /** Deploys m0 and m1, ends both and has every notification delivered. */
  private void endTwo() {
    deployTwo();
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.SUCCEEDED, 0, "", r));
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated("m1", TerminationStatus.SUCCEEDED, 0, "", r));
    assertEquals(CommandReply.accepted(), delivered(1L, 2L, 3L));
  }

  @Test
  void endedSimulationRecoversAndPassivates() {
    deployTwo();
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.SUCCEEDED, 0, "", r));
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated("m1", TerminationStatus.SUCCEEDED, 0, "", r));
    assertEquals(CommandReply.accepted(), delivered(1L, 2L, 3L));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    var restarted = kit.restart();
    assertInstanceOf(SimulationState.Ended.class, restarted.state());
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    assertEquals(SimulationView.Phase.ENDED, view().phase());
    assertTrue(kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportModelReady("m0", r)).hasNoEvents());
  }

  @Test
  void deliveredEventIsPersisted() {
    deployTwo();
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportModelReady("m0", r));
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportModelReady("m1", r));
    delivered(1L);
    assertEquals(0, view().pendingNotifications());
    var events = kit.persistenceTestKit().persistedInStorage("Simulation|" + simulationId);
    assertInstanceOf(NotificationDelivered.class, events.get(events.size() - 1));
    assertEquals(2, events.stream().filter(e -> e instanceof ServiceCreateAcknowledged).count());
  }

  /** What the notification projection tells the entity after the notifier refused these entries permanently. */
  private Reported abandoned(SimulationMessages.Abandonment... entries) {
    return report(r -> new SimulationMessages.NotificationsAbandoned(List.of(entries), r));
  }

  @Test
  void aNotificationTheProjectionReportsAbandonedLeavesTheOutboxAndShowsInTheViewWithItsReason() {
    deployTwo();
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.FAILED, 3,
        "Error", r));
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated("m1", TerminationStatus.SUCCEEDED,
        0, "", r));
    String reason = "the topic 'x' cannot be carried by MQTT 3.1.1: a control character";

    Reported first = abandoned(new SimulationMessages.Abandonment(1, reason));
    assertEquals(CommandReply.accepted(), first.reply());
    assertEquals(List.of(new NotificationAbandoned(simulationId, 1, reason, clock.instant())), first.events());
    assertEquals(List.of(new Notification.ModelHasTerminated(simulationId, "m1", TerminationStatus.SUCCEEDED, 0),
        new Notification.AllModelsHaveTerminated(simulationId)), owed());
    // A repeat (the projection's retry) journals nothing more and is still accepted.
    Reported again = abandoned(new SimulationMessages.Abandonment(1, reason));
    assertEquals(CommandReply.accepted(), again.reply());
    assertEquals(List.of(), again.events());

    // The rest is delivered: the simulation owes nothing, the abandoned entry stays visible, and
    // it passivates (the abandoned entry holds nothing up).
    assertEquals(CommandReply.accepted(), delivered(2L, 3L));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    kit.restart();
    SimulationView view = view();
    assertEquals(0, view.pendingNotifications());
    assertTrue(view.allModelsHaveTerminatedSent());
    assertEquals(List.of(new SimulationView.AbandonedNotification(1, "ModelHasTerminated", "m0", reason,
        clock.instant())), view.abandonedNotifications());
  }

  @Test
  void anAbandonedAllModelsHaveTerminatedIsNotShownAsSent() {
    deployTwo();
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.SUCCEEDED,
        0, "", r));
    kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated("m1", TerminationStatus.SUCCEEDED,
        0, "", r));
    assertEquals(CommandReply.accepted(), delivered(1L, 2L));
    assertEquals(CommandReply.accepted(), abandoned(new SimulationMessages.Abandonment(3, "cannot encode: x")).reply());
    SimulationView view = view();
    assertEquals(0, view.pendingNotifications());
    assertEquals(false, view.allModelsHaveTerminatedSent());
    assertEquals("AllModelsHaveTerminated", view.abandonedNotifications().get(0).kind());
    // Neither delivered nor abandoned twice: a late delivery report for it journals nothing.
    int before = persisted().size();
    assertEquals(CommandReply.accepted(), delivered(3L));
    assertEquals(before, persisted().size());
  }

  @Test
  void abandonmentsForAnUnknownSimulationAreRejected() {
    CommandReply reply = kit.<CommandReply>runCommand(r -> new SimulationMessages.NotificationsAbandoned(
        List.of(new SimulationMessages.Abandonment(1, "cannot encode: x")), r)).reply();
    assertInstanceOf(CommandReply.Rejected.class, reply);
    assertEquals(List.of(), persisted());
  }

  /**
   * Holds each journal write of one persistence id until the test lets it through, and records its
   * batch: while a write is held the entity stashes what arrives, which makes a burst deterministic.
   * Blocks only the in-memory journal's thread, never the entity.
   */
  private static final class GatedWrites implements ProcessingPolicy<JournalOperation> {
    private final String persistenceId;
    private final Semaphore entered = new Semaphore(0);
    private final Semaphore permits = new Semaphore(0);
    private final List<List<Object>> batches = new CopyOnWriteArrayList<>();

    GatedWrites(String persistenceId) {
      this.persistenceId = persistenceId;
    }

    @Override
    public ProcessingResult tryProcess(String pid, JournalOperation op) {
      if (pid.equals(persistenceId) && op instanceof WriteEvents w) {
        batches.add(List.copyOf(w.getBatch()));
        entered.release();
        try {
          permits.tryAcquire(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return ProcessingSuccess.getInstance();
    }

    /** The next write has reached the journal (and is held); returns its batch. */
    List<Object> awaitWrite() throws InterruptedException {
      assertTrue(entered.tryAcquire(5, TimeUnit.SECONDS), "no journal write");
      return batches.get(batches.size() - 1);
    }

    void release() {
      permits.release();
    }
  }

  /** An incarnation outside the test kit (which would wipe the journal), deployed with {@code modelIds}. */
  private ActorRef<SimulationCommand> spawnDeployed(List<String> modelIds) {
    ActorRef<SimulationCommand> entity = testKit.spawn(SimulationEntity.create(simulationId, wiring(TestSupport.settings(clock)), shard.ref()));
    TestProbe<CommandReply> deployed = testKit.createTestProbe(CommandReply.class);
    entity.tell(new SimulationCommand.Deploy("204-asd", modelIds.stream().map(SimulationEntityTest::model).toList(),
        1.0, deployed.ref()));
    deployed.expectMessageClass(CommandReply.Accepted.class);
    return entity;
  }

  @Test
  void aBurstOfReadinessIsOneWriteThatQueuesModelsReadyOnce() throws InterruptedException {
    simulationId = simulationId + "-ready";
    ActorRef<SimulationCommand> entity = spawnDeployed(List.of("m0", "m1", "m2"));
    GatedWrites gate = new GatedWrites("Simulation|" + simulationId);
    kit.persistenceTestKit().withPolicy(gate);
    try {
      TestProbe<CommandReply> first = testKit.createTestProbe(CommandReply.class);
      entity.tell(new SimulationCommand.ReportModelReady("m0", first.ref()));
      gate.awaitWrite();
      List<TestProbe<CommandReply>> reporters = new ArrayList<>();
      for (String modelId : List.of("m1", "m2", "m2", "m0")) {
        TestProbe<CommandReply> reporter = testKit.createTestProbe(CommandReply.class);
        reporters.add(reporter);
        entity.tell(new SimulationCommand.ReportModelReady(modelId, reporter.ref()));
      }
      gate.release();
      assertEquals(CommandReply.accepted(), first.receiveMessage());
      List<Object> batch = gate.awaitWrite();
      assertEquals(List.of(new ModelReady(simulationId, "m1", clock.instant()),
          new ModelReady(simulationId, "m2", clock.instant()),
          new ModelsReadyQueued(simulationId, 1, clock.instant())), batch);
      // m0 was journaled before its repeat was handled: answered at once. The batch waits for its write.
      assertEquals(new CommandReply.Accepted("already ready"), reporters.get(3).receiveMessage());
      reporters.subList(0, 3).forEach(r -> r.expectNoMessage(Duration.ofMillis(50)));
      gate.release();
      // The repeated m2 was deduplicated inside the batch.
      assertEquals(
          List.of(CommandReply.accepted(), CommandReply.accepted(), new CommandReply.Accepted("already ready")),
          reporters.subList(0, 3).stream().map(TestProbe::receiveMessage).toList());
    } finally {
      kit.persistenceTestKit().resetPolicy();
    }
    testKit.stop(entity);
  }

  @Test
  void aBurstOfReportsIsOneWriteAnsweredAfterItAndRecoversTheSameState() throws InterruptedException {
    simulationId = simulationId + "-burst";
    ActorRef<SimulationCommand> entity = spawnDeployed(List.of("m0", "m1", "m2"));
    GatedWrites gate = new GatedWrites("Simulation|" + simulationId);
    kit.persistenceTestKit().withPolicy(gate);
    try {
      TestProbe<CommandReply> ready = testKit.createTestProbe(CommandReply.class);
      entity.tell(new SimulationCommand.ReportModelReady("m0", ready.ref()));
      assertEquals(List.of(ModelReady.class), gate.awaitWrite().stream().map(Object::getClass).toList());
      // The entity is persisting now: everything below is stashed and handled as one run.
      List<TestProbe<CommandReply>> reporters = new ArrayList<>();
      for (String modelId : List.of("m0", "m1", "m1", "m2")) {
        TestProbe<CommandReply> reporter = testKit.createTestProbe(CommandReply.class);
        reporters.add(reporter);
        entity.tell(new SimulationCommand.ReportServiceTerminated(modelId, TerminationStatus.SUCCEEDED, 0, "done",
            reporter.ref()));
      }
      TestProbe<CommandReply> unknown = testKit.createTestProbe(CommandReply.class);
      entity.tell(new SimulationCommand.ReportServiceTerminated("nope", TerminationStatus.SUCCEEDED, 0, "",
          unknown.ref()));
      reporters.get(0).expectNoMessage(Duration.ofMillis(100));
      gate.release();
      assertEquals(CommandReply.accepted(), ready.receiveMessage());

      // One write: each model once (the duplicate adds nothing), AllModelsHaveTerminated queued with the last.
      List<Object> batch = gate.awaitWrite();
      assertInstanceOf(CommandReply.Rejected.class, unknown.receiveMessage());
      assertEquals(List.of(ModelTerminated.class, ModelTerminated.class, ModelTerminated.class,
          AllModelsHaveTerminatedQueued.class), batch.stream().map(Object::getClass).toList());
      assertEquals(List.of("m0", "m1", "m2"), batch.subList(0, 3).stream()
          .map(e -> ((ModelTerminated) e).modelId()).toList());
      assertEquals(List.of(1L, 2L, 3L, 4L), List.of(((ModelTerminated) batch.get(0)).outboxId(),
          ((ModelTerminated) batch.get(1)).outboxId(), ((ModelTerminated) batch.get(2)).outboxId(),
          ((AllModelsHaveTerminatedQueued) batch.get(3)).outboxId()));
      // Replies only once the batch is journaled.
      reporters.forEach(r -> r.expectNoMessage(Duration.ofMillis(50)));
      gate.release();
      assertEquals(List.of(CommandReply.accepted(), CommandReply.accepted(),
              new CommandReply.Accepted("already terminated"), CommandReply.accepted()),
          reporters.stream().map(TestProbe::receiveMessage).toList());

      // Deliveries arriving during a write are journaled together and answered after it; a
      // repeated one adds nothing.
      List<TestProbe<CommandReply>> projection = new ArrayList<>();
      for (List<Long> ids : List.of(List.of(1L), List.of(2L), List.of(3L, 2L))) {
        TestProbe<CommandReply> replies = testKit.createTestProbe(CommandReply.class);
        projection.add(replies);
        entity.tell(new SimulationMessages.NotificationsDelivered(ids, replies.ref()));
        if (ids.size() == 1 && ids.get(0) == 1L) {
          assertEquals(List.of(NotificationDelivered.class),
              gate.awaitWrite().stream().map(Object::getClass).toList());
        }
      }
      projection.get(0).expectNoMessage(Duration.ofMillis(50));
      gate.release();
      assertEquals(CommandReply.accepted(), projection.get(0).receiveMessage());
      assertEquals(List.of(2L, 3L), gate.awaitWrite().stream()
          .map(e -> ((NotificationDelivered) e).outboxId()).toList());
      projection.get(1).expectNoMessage(Duration.ofMillis(50));
      gate.release();
      assertEquals(CommandReply.accepted(), projection.get(1).receiveMessage());
      assertEquals(CommandReply.accepted(), projection.get(2).receiveMessage());
    } finally {
      kit.persistenceTestKit().resetPolicy();
    }
    TestProbe<SimulationReply> got = testKit.createTestProbe(SimulationReply.class);
    entity.tell(new SimulationCommand.Get(got.ref()));
    SimulationView before = assertInstanceOf(SimulationReply.Found.class, got.receiveMessage()).simulation();
    assertEquals(1, before.pendingNotifications());
    testKit.stop(entity);

    // A new incarnation replays the batches into the same state (a new test kit would wipe the journal).
    ActorRef<SimulationCommand> recovered = testKit.spawn(SimulationEntity.create(simulationId, wiring(TestSupport.settings(clock)), shard.ref()));
    recovered.tell(new SimulationCommand.Get(got.ref()));
    assertEquals(before, assertInstanceOf(SimulationReply.Found.class, got.receiveMessage()).simulation());
    assertEquals(SimulationView.Phase.ENDED, before.phase());
    assertTrue(!before.allModelsHaveTerminatedSent());
    TestProbe<CommandReply> last = testKit.createTestProbe(CommandReply.class);
    recovered.tell(new SimulationMessages.NotificationsDelivered(List.of(4L), last.ref()));
    assertEquals(CommandReply.accepted(), last.receiveMessage());
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    testKit.stop(recovered);
  }
}
