package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tugboat.persistence.SimulationMessages.Abandonment;
import dev.tugboat.persistence.SimulationMessages.ClaimNotifications;
import dev.tugboat.persistence.SimulationMessages.Claimed;
import dev.tugboat.persistence.SimulationMessages.FastPublished;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fast path's sends and answers, hosted in an actor of its own. */
class FastPublisherTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("FastPublisherTest", TestSupport.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Outbox outbox(long... ids) {
    Outbox o = Outbox.empty();
    for (long id : ids) {
      o = o.add(id, new Notification.ModelHasTerminated("sim", "m" + id, TerminationStatus.SUCCEEDED, 0));
    }
    return o;
  }

  private final TestProbe<NotifierCommand> notifier = testKit.createTestProbe(NotifierCommand.class);
  private final TestProbe<SimulationCommand> self = testKit.createTestProbe(SimulationCommand.class);
  private final TestProbe<Optional<ReportBatch.Item>> items = testKit.createTestProbe();
  private final TestProbe<Claimed> projection = testKit.createTestProbe(Claimed.class);

  private PartHost<FastPublisher> host(SimulationWiring.FastPath fastPath) {
    PartHost<FastPublisher> host = new PartHost<>(testKit, ctx -> new FastPublisher("sim", fastPath, ctx), self.ref());
    host.run(f -> f.recovered(Outbox.empty()));
    return host;
  }

  private PartHost<FastPublisher> host() {
    return host(new SimulationWiring.FastPath(notifier.ref(), Duration.ofSeconds(5)));
  }

  /** The notifier's answer to {@code publish}, as the host actor receives it. */
  private FastPublished answer(NotifierCommand.Publish publish, PublishResult result) {
    publish.replyTo().tell(result);
    return self.expectMessageClass(FastPublished.class);
  }

  private NotifierCommand.Publish published() {
    return assertInstanceOf(NotifierCommand.Publish.class, notifier.receiveMessage());
  }

  @Test
  void anAcknowledgedPublishBecomesADeliveryToJournal() {
    PartHost<FastPublisher> host = host();
    Outbox o = outbox(1);
    host.run(f -> f.changed(o));
    NotifierCommand.Publish publish = published();
    assertEquals(1, publish.id());
    FastPublished answer = answer(publish, new PublishResult.Published(1));
    host.run(f -> items.ref().tell(f.published(answer, o)));
    assertEquals(Optional.of(new ReportBatch.Deliveries(List.of(1L), null)), items.receiveMessage());
  }

  @Test
  void aPermanentRefusalBecomesAnAbandonmentAndTheRestGoesOn() {
    PartHost<FastPublisher> host = host();
    Outbox o = outbox(1).add(2, new Notification.AllModelsHaveTerminated("sim"));
    host.run(f -> f.changed(o));
    FastPublished answer = answer(published(), PublishResult.NotPublished.permanently(1, "cannot encode: x"));
    notifier.expectNoMessage(Duration.ofMillis(100));
    host.run(f -> items.ref().tell(f.published(answer, o)));
    assertEquals(Optional.of(new ReportBatch.Abandonments(List.of(new Abandonment(1, "cannot encode: x")), null)),
        items.receiveMessage());
    assertEquals(2, published().id(), "the end goes once the entry before it is settled");
  }

  @Test
  void aPublishThatMayPassStopsTheFastPathAndAnswersTheClaimThatWaited() {
    PartHost<FastPublisher> host = host();
    Outbox o = outbox(1);
    host.run(f -> f.changed(o));
    NotifierCommand.Publish publish = published();
    host.run(f -> f.claim(new ClaimNotifications(List.of(1L), projection.ref()), o));
    projection.expectNoMessage(Duration.ofMillis(100));
    FastPublished answer = answer(publish, new PublishResult.NotPublished(1, "not connected to the MQTT broker"));
    host.run(f -> items.ref().tell(f.published(answer, o)));
    assertEquals(Optional.empty(), items.receiveMessage());
    assertEquals(new Claimed(List.of(1L)), projection.receiveMessage(), "the projection publishes it");
    host.run(f -> f.changed(outbox(1, 2)));
    notifier.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void withoutAFastPathNothingIsPublishedAndClaimsAreAnsweredAtOnce() {
    PartHost<FastPublisher> host = host(null);
    host.run(f -> f.changed(outbox(1, 2)));
    host.run(f -> f.claim(new ClaimNotifications(List.of(1L, 2L), projection.ref()), outbox(1, 2)));
    assertEquals(new Claimed(List.of(1L, 2L)), projection.receiveMessage());
    notifier.expectNoMessage(Duration.ofMillis(100));
  }
}
