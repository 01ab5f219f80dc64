package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.SimulationEvent.NotificationDelivered;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationReply;
import dev.tugboat.protocol.simulation.SimulationView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Simulation's fast path: it publishes what it journaled at once, and the projection's claims. */
class SimulationFastPathTest {

  private static ActorTestKit testKit;

  private ProbeDirectory directory;
  private TestProbe<NotifierCommand> notifier;
  private TestProbe<ClusterSharding.ShardCommand> shard;
  private TestProbe<SimulationMessages.Claimed> claims;
  private String simulationId;
  private SimpleMeterRegistry metrics;
  private EventSourcedBehaviorTestKit<SimulationCommand, SimulationEvent, SimulationState> kit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("SimulationFastPathTest", TestSupport.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    directory = new ProbeDirectory(testKit);
    notifier = testKit.createTestProbe(NotifierCommand.class);
    shard = testKit.createTestProbe(ClusterSharding.ShardCommand.class);
    claims = testKit.createTestProbe(SimulationMessages.Claimed.class);
    simulationId = "sim-" + UUID.randomUUID().toString().substring(0, 8);
    metrics = new SimpleMeterRegistry();
    kit = EventSourcedBehaviorTestKit.create(testKit.system(),
        SimulationEntity.create(simulationId, SimulationWiring.of(directory,
                TestSupport.settings(new MutableClock(Instant.parse("2025-01-01T00:00:00Z"))), new NotificationTags(4),
                TestSupport.sealer())
            .withFastPath(new SimulationWiring.FastPath(notifier.ref(), Duration.ofSeconds(5)))
            .withAbandonedCounter(SimulationWiring.abandonedCounter(metrics)), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
    kit.<CommandReply>runCommand(r -> new SimulationCommand.Deploy("204-asd",
        List.of(new ModelSpec("m0", "img:1", List.of()), new ModelSpec("m1", "img:1", List.of())), 1.0, r));
    for (int i = 0; i < 2; i++) {
      ((ServiceCommand.Create) directory.services.receiveMessage()).replyTo().tell(CommandReply.accepted());
    }
  }

  private void ended(String modelId, int exitCode) {
    CommandReply reply = kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated(modelId,
        TerminationStatus.ofExitCode(exitCode), exitCode, "", r)).reply();
    assertInstanceOf(CommandReply.Accepted.class, reply);
  }

  /** m0 (exit 0) and then m1 end; the two ModelHasTerminated publishes, not answered yet. */
  private List<NotifierCommand.Publish> bothEnd(int m1ExitCode) {
    ended("m0", 0);
    NotifierCommand.Publish first = published();
    ended("m1", m1ExitCode);
    return List.of(first, published());
  }

  private NotifierCommand.Publish published() {
    return assertInstanceOf(NotifierCommand.Publish.class, notifier.receiveMessage());
  }

  private static void ack(NotifierCommand.Publish p) {
    p.replyTo().tell(new PublishResult.Published(p.id()));
  }

  private SimulationMessages.Claimed claimAnswer(Long... ids) {
    kit.runCommand(new SimulationMessages.ClaimNotifications(List.of(ids), claims.ref()));
    return claims.receiveMessage();
  }

  private List<Long> pendingIds() {
    SimulationState s = kit.getState();
    Outbox o = s instanceof SimulationState.Active a ? a.outbox() : ((SimulationState.Ended) s).outbox();
    return o.pending().stream().map(Outbox.Entry::id).toList();
  }

  private List<Long> deliveredJournaled() {
    return kit.persistenceTestKit().persistedInStorage("Simulation|" + simulationId).stream()
        .filter(NotificationDelivered.class::isInstance).map(e -> ((NotificationDelivered) e).outboxId()).toList();
  }

  @Test
  void aJournaledNotificationIsPublishedAtOnceAndItsAcknowledgementJournaled() {
    ended("m0", 0);
    NotifierCommand.Publish p = published();
    assertEquals(new Notification.ModelHasTerminated(simulationId, "m0", TerminationStatus.SUCCEEDED, 0),
        p.notification());
    assertEquals(1L, p.id());

    // The projection's claim waits for the publish in flight, then leaves it to the fast path.
    kit.runCommand(new SimulationMessages.ClaimNotifications(List.of(1L), claims.ref()));
    claims.expectNoMessage(Duration.ofMillis(150));
    ack(p);
    assertEquals(List.of(), claims.receiveMessage().toPublish());
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> deliveredJournaled().equals(List.of(1L)));
    assertEquals(List.of(), pendingIds());

    // The projection's record afterwards journals nothing more.
    assertInstanceOf(CommandReply.Accepted.class,
        kit.<CommandReply>runCommand(r -> new SimulationMessages.NotificationsDelivered(List.of(1L), r)).reply());
    assertEquals(List.of(1L), deliveredJournaled());
  }

  @Test
  void allModelsHaveTerminatedGoesOnlyAfterEveryEarlierNotificationWasAcknowledged() {
    List<NotifierCommand.Publish> both = bothEnd(2);
    NotifierCommand.Publish first = both.get(0);
    NotifierCommand.Publish second = both.get(1);
    assertEquals(2L, second.id());
    notifier.expectNoMessage(Duration.ofMillis(150));
    ack(second);
    notifier.expectNoMessage(Duration.ofMillis(150));
    ack(first);
    NotifierCommand.Publish all = published();
    assertEquals(new Notification.AllModelsHaveTerminated(simulationId), all.notification());
    assertEquals(3L, all.id());
    ack(all);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> deliveredJournaled().size() == 3);
    // Ended with nothing owed: the simulation passivates.
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void aFailedPublishLeavesItAndEveryLaterNotificationToTheProjection() {
    ended("m0", 1);
    NotifierCommand.Publish p = published();
    p.replyTo().tell(new PublishResult.NotPublished(p.id(), "not connected to the MQTT broker"));
    assertEquals(List.of(1L), claimAnswer(1L).toPublish());
    ended("m1", 0);
    notifier.expectNoMessage(Duration.ofMillis(200));
    assertEquals(List.of(2L, 3L), claimAnswer(2L, 3L).toPublish());
    assertEquals(List.of(), deliveredJournaled());
  }

  private List<SimulationEvent.NotificationAbandoned> abandonedJournaled() {
    return kit.persistenceTestKit().persistedInStorage("Simulation|" + simulationId).stream()
        .filter(SimulationEvent.NotificationAbandoned.class::isInstance)
        .map(SimulationEvent.NotificationAbandoned.class::cast).toList();
  }

  @Test
  void aPermanentlyRefusedPublishIsAbandonedAndTheFastPathGoesOn() {
    List<NotifierCommand.Publish> both = bothEnd(0);
    String reason = "the topic '/lifecycle/x' cannot be carried by MQTT 3.1.1: a control character";
    both.get(0).replyTo().tell(PublishResult.NotPublished.permanently(both.get(0).id(), reason));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> abandonedJournaled().size() == 1);
    assertEquals(1L, abandonedJournaled().get(0).outboxId());
    assertEquals(reason, abandonedJournaled().get(0).reason());
    assertEquals(1.0, metrics.counter(SimulationWiring.ABANDONED_METRIC).count());
    // Given up, not left to the projection: its claim gets nothing to publish.
    assertEquals(List.of(), claimAnswer(1L).toPublish());

    // AllModelsHaveTerminated does not wait for the abandoned entry: it counts as settled.
    ack(both.get(1));
    NotifierCommand.Publish all = published();
    assertEquals(new Notification.AllModelsHaveTerminated(simulationId), all.notification());
    ack(all);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> deliveredJournaled().equals(List.of(2L, 3L)));
    shard.expectMessageClass(ClusterSharding.Passivate.class);
    var view = ((SimulationReply.Found) kit.<SimulationReply>runCommand(SimulationCommand.Get::new).reply())
        .simulation();
    assertEquals(0, view.pendingNotifications());
    assertEquals(List.of(1L), view.abandonedNotifications().stream()
        .map(SimulationView.AbandonedNotification::outboxId).toList());
    assertEquals(1, abandonedJournaled().size(), "journaled and counted once");
    assertEquals(1.0, metrics.counter(SimulationWiring.ABANDONED_METRIC).count());
  }

  @Test
  void aPermanentRefusalRacingWithTheProjectionsRecordIsJournaledOnce() {
    ended("m0", 0);
    NotifierCommand.Publish p = published();
    p.replyTo().tell(PublishResult.NotPublished.permanently(p.id(), "cannot encode: x"));
    // The projection, having met the same refusal, reports it too.
    assertInstanceOf(CommandReply.Accepted.class, kit.<CommandReply>runCommand(r ->
        new SimulationMessages.NotificationsAbandoned(
            List.of(new SimulationMessages.Abandonment(1, "cannot encode: x")), r)).reply());
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> abandonedJournaled().size() == 1);
    assertEquals(List.of(), pendingIds());
    notifier.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, abandonedJournaled().size());
    assertEquals(1.0, metrics.counter(SimulationWiring.ABANDONED_METRIC).count());
  }

  @Test
  void claimedEntriesAreNeverPublishedByTheFastPath() {
    // The projection claims AllModelsHaveTerminated's id before the fast path got to it.
    List<NotifierCommand.Publish> both = bothEnd(0);
    NotifierCommand.Publish first = both.get(0);
    NotifierCommand.Publish second = both.get(1);
    ack(first);
    kit.runCommand(new SimulationMessages.ClaimNotifications(List.of(1L, 2L, 3L), claims.ref()));
    claims.expectNoMessage(Duration.ofMillis(150)); // 2 is in flight
    ack(second);
    assertEquals(List.of(3L), claims.receiveMessage().toPublish());
    notifier.expectNoMessage(Duration.ofMillis(200));
    assertTrue(pendingIds().contains(3L), "the projection delivers it");
  }

  @Test
  void entriesQueuedBeforeARestartAreTheProjections() {
    ended("m0", 0);
    NotifierCommand.Publish lost = published();
    kit.restart();
    ack(lost); // answers an ask of the previous incarnation: changes nothing
    notifier.expectNoMessage(Duration.ofMillis(200));
    assertEquals(List.of(1L), claimAnswer(1L).toPublish());

    // A notification queued by the new incarnation goes the fast way; AllModelsHaveTerminated
    // waits until the projection's entry is delivered too.
    ended("m1", 0);
    NotifierCommand.Publish second = published();
    assertEquals(2L, second.id());
    ack(second);
    notifier.expectNoMessage(Duration.ofMillis(200));
    assertInstanceOf(CommandReply.Accepted.class,
        kit.<CommandReply>runCommand(r -> new SimulationMessages.NotificationsDelivered(List.of(1L), r)).reply());
    NotifierCommand.Publish all = published();
    assertEquals(new Notification.AllModelsHaveTerminated(simulationId), all.notification());
  }

  @Test
  void aRecordStillBufferedWhenThePassivationStopComesIsWrittenAndAnsweredFirst() {
    String id = "sim-" + UUID.randomUUID().toString().substring(0, 8);
    ActorRef<SimulationCommand> entity = testKit.spawn(SimulationEntity.create(id, SimulationWiring.of(directory,
        TestSupport.settings(new MutableClock(Instant.parse("2025-01-01T00:00:00Z"))), new NotificationTags(4),
        TestSupport.sealer()), shard.ref()));
    TestProbe<CommandReply> replies = testKit.createTestProbe(CommandReply.class);
    entity.tell(new SimulationCommand.Deploy("204-asd", List.of(new ModelSpec("m0", "img:1", List.of())), 1.0,
        replies.ref()));
    replies.expectMessageClass(CommandReply.Accepted.class);
    ((ServiceCommand.Create) directory.services.receiveMessage()).replyTo().tell(CommandReply.accepted());
    entity.tell(new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.SUCCEEDED, 0, "", replies.ref()));
    replies.expectMessageClass(CommandReply.Accepted.class);

    // The projection's record and the shard's stop arrive together: the record is not dropped.
    entity.tell(new SimulationMessages.NotificationsDelivered(List.of(1L, 2L), replies.ref()));
    entity.tell(SimulationMessages.Stop.INSTANCE);
    replies.expectMessageClass(CommandReply.Accepted.class);
    replies.expectTerminated(entity);
    List<Long> delivered = PersistenceTestKit.create(testKit.system()).persistedInStorage("Simulation|" + id).stream()
        .filter(NotificationDelivered.class::isInstance).map(e -> ((NotificationDelivered) e).outboxId()).toList();
    assertEquals(List.of(1L, 2L), delivered);
  }
}
