package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationEvent.NotificationDelivered;
import dev.tugboat.persistence.SimulationEvent.ServiceCreateAcknowledged;
import dev.tugboat.persistence.SimulationEvent.SimulationDeployed;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotificationHandlerTest {
  private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");
  private static ActorTestKit testKit;

  private TestProbe<NotifierCommand> notifier;
  private ProbeDirectory directory;
  private NotificationHandler handler;
  private long offset;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("NotificationHandlerTest");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    notifier = testKit.createTestProbe(NotifierCommand.class);
    directory = new ProbeDirectory(testKit);
    NotificationSettings settings = new NotificationSettings(new NotificationTags(4), 500, Duration.ofMillis(10),
        Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(30), 2, true);
    handler = new NotificationHandler(notifier.ref(), directory, settings, testKit.system().scheduler());
  }

  private EventEnvelope<SimulationEvent> envelope(SimulationEvent event) {
    offset++;
    return EventEnvelope.create(Offset.sequence(offset), "Simulation|" + event.simulationId(), offset, event,
        AT.toEpochMilli());
  }

  private List<EventEnvelope<SimulationEvent>> group(SimulationEvent... events) {
    List<EventEnvelope<SimulationEvent>> out = new ArrayList<>();
    for (SimulationEvent e : events) {
      out.add(envelope(e));
    }
    return out;
  }

  private NotifierCommand.Publish nextPublish() {
    return assertInstanceOf(NotifierCommand.Publish.class, notifier.receiveMessage());
  }

  /** Answers the next claim: the simulation leaves every one of its ids to the projection. */
  private SimulationMessages.ClaimNotifications claimAll() {
    var claim = assertInstanceOf(SimulationMessages.ClaimNotifications.class, directory.simulations.receiveMessage());
    claim.replyTo().tell(new SimulationMessages.Claimed(claim.outboxIds()));
    return claim;
  }

  private static void ack(NotifierCommand.Publish p) {
    p.replyTo().tell(new PublishResult.Published(p.id()));
  }

  private static ModelTerminated ended(String sim, String model, long outboxId) {
    return new ModelTerminated(sim, model, TerminationStatus.SUCCEEDED, 0, "Completed", outboxId, AT);
  }

  @Test
  void theNotificationsOfAnEventAreTheOutboxEntriesTheStateQueuesForIt() {
    List<ServiceSpec> services = List.of(ServiceSpec.of("so", "s", new ModelSpec("m0", "img", List.of()), 1),
        ServiceSpec.of("so", "s", new ModelSpec("m1", "img", List.of()), 1));
    List<SimulationEvent> events = List.of(new SimulationDeployed("s", "so", 1, services, AT),
        new ServiceCreateAcknowledged("s", "m0", AT), new ModelReady("s", "m0", AT), new ModelReady("s", "m1", AT),
        new ModelsReadyQueued("s", 1, AT),
        new ModelTerminated("s", "m0", TerminationStatus.FAILED, 3, "Error", 2, AT), ended("s", "m1", 3),
        new AllModelsHaveTerminatedQueued("s", 4, AT));
    SimulationState state = new SimulationState.Empty("s");
    List<Outbox.Entry> queued = new ArrayList<>();
    for (SimulationEvent e : events) {
      state = SimulationState.apply(state, e);
      queued.addAll(NotificationHandler.notificationsQueuedBy(e));
      assertEquals(!NotificationHandler.notificationsQueuedBy(e).isEmpty(),
          NotificationHandler.queuesNotifications(e), e.toString());
    }
    assertEquals(((SimulationState.Ended) state).outbox().pending(), queued);
    assertFalse(NotificationHandler.queuesNotifications(new NotificationDelivered("s", 1, AT)));
  }

  @Test
  void aGroupIsPublishedInOrderThenRecordedPerSimulationAndAllModelsHaveTerminatedWaitsForTheRest()
      throws Exception {
    CompletableFuture<Done> done = handler.process(group(
        new ModelsReadyQueued("a", 1, AT), ended("a", "m0", 2), ended("b", "m0", 5), new ModelReady("a", "m1", AT),
        ended("a", "m1", 3), new AllModelsHaveTerminatedQueued("a", 4, AT), ended("b", "m1", 6)))
        .toCompletableFuture();

    // Each simulation is asked first which of its entries are left to publish (here: all of them).
    assertEquals(List.of(1L, 2L, 3L, 4L), claimAll().outboxIds());
    assertEquals(List.of(5L, 6L), claimAll().outboxIds());
    List<NotifierCommand.Publish> first = List.of(nextPublish(), nextPublish(), nextPublish(), nextPublish());
    assertEquals(List.of(new Notification.ModelsReady("a"),
            new Notification.ModelHasTerminated("a", "m0", TerminationStatus.SUCCEEDED, 0),
            new Notification.ModelHasTerminated("b", "m0", TerminationStatus.SUCCEEDED, 0),
            new Notification.ModelHasTerminated("a", "m1", TerminationStatus.SUCCEEDED, 0)),
        first.stream().map(NotifierCommand.Publish::notification).toList());
    assertEquals(List.of(1L, 2L, 5L, 3L), first.stream().map(NotifierCommand.Publish::id).toList());
    // AllModelsHaveTerminated (and what follows it) waits until everything before it was acknowledged.
    first.subList(0, 3).forEach(NotificationHandlerTest::ack);
    notifier.expectNoMessage(Duration.ofMillis(100));
    ack(first.get(3));
    NotifierCommand.Publish all = nextPublish();
    assertEquals(new Notification.AllModelsHaveTerminated("a"), all.notification());
    notifier.expectNoMessage(Duration.ofMillis(100));
    ack(all);
    NotifierCommand.Publish last = nextPublish();
    assertEquals(6L, last.id());
    ack(last);

    // Only once every publish was acknowledged: each simulation is told its ids, and the group
    // (and so the offset) completes only after both recorded them.
    var a = assertInstanceOf(SimulationMessages.NotificationsDelivered.class, directory.simulations.receiveMessage());
    var b = assertInstanceOf(SimulationMessages.NotificationsDelivered.class, directory.simulations.receiveMessage());
    assertEquals(List.of(1L, 2L, 3L, 4L), a.outboxIds());
    assertEquals(List.of(5L, 6L), b.outboxIds());
    a.replyTo().tell(CommandReply.accepted());
    assertFalse(done.isDone(), "waits for every simulation");
    b.replyTo().tell(new CommandReply.Rejected("unknown simulation"));
    assertEquals(Done.getInstance(), done.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aRefusedPublishFailsTheGroupAndOnlyWhatTheBrokerAcknowledgedIsRecorded() throws Exception {
    CompletableFuture<Done> done = handler.process(group(ended("a", "m0", 1), ended("a", "m1", 2)))
        .toCompletableFuture();
    claimAll();
    NotifierCommand.Publish p1 = nextPublish();
    NotifierCommand.Publish p2 = nextPublish();
    ack(p1);
    p2.replyTo().tell(new PublishResult.NotPublished(p2.id(), "not connected to the MQTT broker"));
    // The acknowledged one is recorded, so the group's retry does not send it a second time; the
    // group fails once the record is answered.
    var recorded = assertInstanceOf(SimulationMessages.NotificationsDelivered.class,
        directory.simulations.receiveMessage());
    assertEquals(List.of(p1.id()), recorded.outboxIds());
    assertFalse(done.isDone(), "the group fails after the record");
    recorded.replyTo().tell(CommandReply.accepted());
    ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> done.get(5, TimeUnit.SECONDS));
    assertInstanceOf(NotificationHandler.NotPublishedException.class, failure.getCause());
    assertTrue(failure.getCause().getMessage().contains("not connected"), failure.getCause().getMessage());
    directory.simulations.expectNoMessage(Duration.ofMillis(100));

    // The retry: the simulation leaves only the refused one to publish.
    CompletableFuture<Done> retry = handler.process(group(ended("a", "m0", 1), ended("a", "m1", 2)))
        .toCompletableFuture();
    var claim = assertInstanceOf(SimulationMessages.ClaimNotifications.class, directory.simulations.receiveMessage());
    claim.replyTo().tell(new SimulationMessages.Claimed(List.of(p2.id())));
    NotifierCommand.Publish again = nextPublish();
    assertEquals(p2.id(), again.id());
    notifier.expectNoMessage(Duration.ofMillis(100));
    ack(again);
    var all = assertInstanceOf(SimulationMessages.NotificationsDelivered.class, directory.simulations.receiveMessage());
    all.replyTo().tell(CommandReply.accepted());
    assertEquals(Done.getInstance(), retry.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aPermanentlyRefusedEntryIsReportedAbandonedAndTheGroupCompletesWithTheRestDelivered() throws Exception {
    CompletableFuture<Done> done = handler.process(group(ended("a", "m0", 1), ended("b", "m0", 5),
        ended("a", "m1", 2), new AllModelsHaveTerminatedQueued("a", 3, AT))).toCompletableFuture();
    claimAll();
    claimAll();
    NotifierCommand.Publish a1 = nextPublish();
    NotifierCommand.Publish b5 = nextPublish();
    NotifierCommand.Publish a2 = nextPublish();
    String reason = "the topic '/lifecycle/mso/dots-so/a/m0/ModelHasTerminated' cannot be carried by MQTT 3.1.1";
    a1.replyTo().tell(PublishResult.NotPublished.permanently(a1.id(), reason));
    ack(b5);
    ack(a2);
    // AllModelsHaveTerminated does not wait for the abandoned entry before it.
    NotifierCommand.Publish all = nextPublish();
    assertEquals(new Notification.AllModelsHaveTerminated("a"), all.notification());
    ack(all);

    // The delivered ones are recorded as delivered, the refused one as abandoned, with its reason.
    List<SimulationMessages.NotificationsDelivered> delivered = new ArrayList<>();
    SimulationMessages.NotificationsAbandoned abandoned = null;
    for (int i = 0; i < 3; i++) {
      Object message = directory.simulations.receiveMessage();
      if (message instanceof SimulationMessages.NotificationsAbandoned na) {
        abandoned = na;
      } else {
        delivered.add(assertInstanceOf(SimulationMessages.NotificationsDelivered.class, message));
      }
    }
    assertEquals(java.util.Set.of(List.of(2L, 3L), List.of(5L)),
        delivered.stream().map(SimulationMessages.NotificationsDelivered::outboxIds).collect(Collectors.toSet()));
    assertEquals(List.of(new SimulationMessages.Abandonment(1, reason)), abandoned.abandoned());
    delivered.forEach(d -> d.replyTo().tell(CommandReply.accepted()));
    assertFalse(done.isDone(), "the offset waits for the abandonment to be journaled too");
    abandoned.replyTo().tell(CommandReply.accepted());
    assertEquals(Done.getInstance(), done.get(5, TimeUnit.SECONDS));
    notifier.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aGroupThatFailsOnATransientRefusalRecordsItsAbandonedEntriesBeforeTheRetry() throws Exception {
    CompletableFuture<Done> done = handler.process(group(ended("a", "m0", 1), ended("a", "m1", 2)))
        .toCompletableFuture();
    claimAll();
    NotifierCommand.Publish p1 = nextPublish();
    NotifierCommand.Publish p2 = nextPublish();
    p1.replyTo().tell(PublishResult.NotPublished.permanently(p1.id(), "cannot encode: x"));
    p2.replyTo().tell(new PublishResult.NotPublished(p2.id(), "not connected to the MQTT broker"));
    var abandoned = assertInstanceOf(SimulationMessages.NotificationsAbandoned.class,
        directory.simulations.receiveMessage());
    assertEquals(List.of(new SimulationMessages.Abandonment(1, "cannot encode: x")), abandoned.abandoned());
    abandoned.replyTo().tell(CommandReply.accepted());
    ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> done.get(5, TimeUnit.SECONDS));
    assertInstanceOf(NotificationHandler.NotPublishedException.class, failure.getCause());
    directory.simulations.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void onlyWhatTheSimulationLeavesIsPublishedButEveryIdOfTheGroupIsRecorded() throws Exception {
    CompletableFuture<Done> done = handler.process(group(ended("a", "m0", 1), ended("a", "m1", 2),
        new AllModelsHaveTerminatedQueued("a", 3, AT))).toCompletableFuture();
    var claim = assertInstanceOf(SimulationMessages.ClaimNotifications.class, directory.simulations.receiveMessage());
    assertEquals(List.of(1L, 2L, 3L), claim.outboxIds());
    // The simulation's fast path had 1 and 2 acknowledged; 3 is the projection's.
    claim.replyTo().tell(new SimulationMessages.Claimed(List.of(3L)));
    NotifierCommand.Publish only = nextPublish();
    assertEquals(new Notification.AllModelsHaveTerminated("a"), only.notification());
    notifier.expectNoMessage(Duration.ofMillis(100));
    ack(only);
    var recorded = assertInstanceOf(SimulationMessages.NotificationsDelivered.class,
        directory.simulations.receiveMessage());
    assertEquals(List.of(1L, 2L, 3L), recorded.outboxIds());
    assertFalse(done.isDone(), "the offset waits for the record");
    recorded.replyTo().tell(CommandReply.accepted());
    assertEquals(Done.getInstance(), done.get(5, TimeUnit.SECONDS));
  }

  @Test
  void anUnansweredClaimFailsTheGroupWithoutPublishing() {
    NotificationSettings quick = new NotificationSettings(new NotificationTags(4), 500, Duration.ofMillis(10),
        Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(30), 2, true);
    NotificationHandler impatient = new NotificationHandler(notifier.ref(), directory, quick,
        testKit.system().scheduler());
    CompletableFuture<Done> done = impatient.process(group(ended("a", "m0", 1))).toCompletableFuture();
    directory.simulations.receiveMessage(); // the claim, never answered
    org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> done.get(5, TimeUnit.SECONDS));
    notifier.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aGroupWithoutNotificationsCompletesAtOnce() throws Exception {
    CompletableFuture<Done> done = handler.process(group(new ModelReady("a", "m0", AT),
        new NotificationDelivered("a", 1, AT))).toCompletableFuture();
    assertEquals(Done.getInstance(), done.get(1, TimeUnit.SECONDS));
    notifier.expectNoMessage(Duration.ofMillis(50));
    directory.simulations.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void segmentsIsolateEveryAllModelsHaveTerminated() {
    Outbox.Entry ready = new Outbox.Entry(1, new Notification.ModelsReady("a"));
    Outbox.Entry all = new Outbox.Entry(2, new Notification.AllModelsHaveTerminated("a"));
    Outbox.Entry other = new Outbox.Entry(1, new Notification.AllModelsHaveTerminated("b"));
    var r = new NotificationHandler.Owed("a", ready);
    var a = new NotificationHandler.Owed("a", all);
    var o = new NotificationHandler.Owed("b", other);
    assertEquals(List.of(List.of(r), List.of(a), List.of(o)), NotificationHandler.segments(List.of(r, a, o)));
    assertEquals(List.of(List.of(r, r)), NotificationHandler.segments(List.of(r, r)));
  }
}
