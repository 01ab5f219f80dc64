package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationMessages.Abandonment;
import dev.tugboat.persistence.SimulationMessages.ClaimNotifications;
import dev.tugboat.persistence.SimulationMessages.FastPublished;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The fast path of one incarnation of a simulation: it publishes the outbox entries the
 * incarnation queued through the node's notifier as soon as they are journaled (where it stands:
 * {@link FastPathCursor}), turns the notifier's answers into deliveries or abandonments for the
 * {@link ReportBatch}, and answers the notification projection's claims once none of their
 * entries is in flight ({@link ClaimHandshake}). Without a {@link SimulationWiring.FastPath}
 * nothing is published here and every claim is answered at once. Confined to its entity's actor.
 */
final class FastPublisher {
  private final String simulationId;
  private final SimulationWiring.FastPath fastPath;
  private final ActorContext<SimulationCommand> ctx;
  private final FastPathCursor cursor = new FastPathCursor();
  private final ClaimHandshake claims = new ClaimHandshake();

  FastPublisher(String simulationId, SimulationWiring.FastPath fastPath, ActorContext<SimulationCommand> ctx) {
    this.simulationId = simulationId;
    this.fastPath = fastPath;
    this.ctx = ctx;
  }

  /** Recovery is complete: the entries already in {@code outbox} are the projection's. */
  void recovered(Outbox outbox) {
    cursor.startAt(outbox.nextId());
  }

  /** After a journaled change: forget the settled entries that left the outbox, publish the new ones. */
  void changed(Outbox outbox) {
    cursor.forgetJournaled(outbox);
    publish(outbox);
  }

  /**
   * Publishes, in id order, the entries this incarnation queued and nobody has published yet;
   * after a refused or unanswered publish that may pass, nothing more goes this way.
   */
  private void publish(Outbox outbox) {
    if (fastPath == null) {
      return;
    }
    for (Outbox.Entry entry : cursor.take(outbox)) {
      long id = entry.id();
      ctx.ask(PublishResult.class, fastPath.notifier(), fastPath.publishTimeout(),
          replyTo -> new NotifierCommand.Publish(id, entry.notification(), replyTo),
          (result, failure) -> new FastPublished(id, result, failure == null ? null : String.valueOf(failure)));
    }
  }

  /** The notifier answered a publish: the delivery or abandonment to journal, if any. */
  Optional<ReportBatch.Item> published(FastPublished msg, Outbox outbox) {
    if (msg.result() instanceof PublishResult.Published) {
      cursor.settle(msg.outboxId());
      answerClaims(outbox);
      publish(outbox);
      return Optional.of(new ReportBatch.Deliveries(List.of(msg.outboxId()), null));
    }
    if (msg.result() instanceof PublishResult.NotPublished np && np.permanent()) {
      // Refused the same way on every retry: given up, so it holds up neither the entries after
      // it (AllModelsHaveTerminated) nor the projection; the fast path goes on with the rest.
      cursor.settle(msg.outboxId());
      answerClaims(outbox);
      publish(outbox);
      return Optional.of(new ReportBatch.Abandonments(List.of(new Abandonment(msg.outboxId(), np.reason())), null));
    }
    String why = msg.failure() != null ? msg.failure()
        : msg.result() instanceof PublishResult.NotPublished np ? np.reason() : String.valueOf(msg.result());
    if (cursor.stop(msg.outboxId())) {
      ctx.getLog().warn("simulation {}: outbox entry {} not published at once ({}); the notification projection "
          + "delivers it and the rest of this incarnation's notifications", simulationId, msg.outboxId(), why);
    }
    answerClaims(outbox);
    return Optional.empty();
  }

  /** The projection claims these entries: the fast path leaves them, and every earlier one, to it. */
  void claim(ClaimNotifications cmd, Outbox outbox) {
    cursor.leaveToProjection(cmd.outboxIds());
    claims.add(cmd.outboxIds(), cmd.replyTo());
    answerClaims(outbox);
  }

  private void answerClaims(Outbox outbox) {
    claims.answerable(cursor, outbox).forEach(a -> a.replyTo().tell(a.claimed()));
  }
}
