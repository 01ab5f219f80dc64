package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationMessages.Abandonment;
import dev.tugboat.protocol.CommandReply;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The reports, Create acknowledgements and deliveries a simulation holds for its next Flush, in
 * arrival order, so that a burst (thousands of models ending within seconds) costs one journal
 * write per run of commands instead of one each. The first item after a drain owes a Flush, which
 * the entity tells itself: it queues behind every command already in the mailbox, so those join
 * the same batch. Nothing is decided on the way in: the items are decided against the state when
 * the batch is written ({@link SimulationDecider#decide}). Mutable and confined to its entity's
 * actor (only that actor touches it, so no locks). In memory only: a batch lost with its
 * incarnation is sent again by its reporters (services, the MQTT bridge, the notification
 * projection), which were never answered.
 */
final class ReportBatch {

  /** One buffered item; its replyTo, where it has one, is answered once the batch is written. */
  sealed interface Item {}

  /** A model's first ReadyForProcessing. */
  record Ready(String modelId, ActorRef<CommandReply> replyTo) implements Item {}

  /** A model's first end. */
  record End(ModelEnd end, ActorRef<CommandReply> replyTo) implements Item {}

  /** A service accepted Create (nobody waits for an answer). */
  record CreateAccepted(String modelId) implements Item {}

  /** Delivered outbox ids; replyTo is null for the fast path's own acknowledgements. */
  record Deliveries(List<Long> outboxIds, ActorRef<CommandReply> replyTo) implements Item {
    Deliveries {
      outboxIds = List.copyOf(outboxIds);
    }
  }

  /** Abandoned outbox entries; replyTo is null for the fast path's own refusals. */
  record Abandonments(List<Abandonment> abandoned, ActorRef<CommandReply> replyTo) implements Item {
    Abandonments {
      abandoned = List.copyOf(abandoned);
    }
  }

  private final List<Item> items = new ArrayList<>();
  private boolean flushOwed;

  /** Holds {@code item}; true when it is the first since the last drain: the caller then tells itself Flush. */
  boolean add(Item item) {
    items.add(item);
    if (flushOwed) {
      return false;
    }
    flushOwed = true;
    return true;
  }

  /** The items in arrival order; the batch is empty afterwards and the next item owes a Flush again. */
  List<Item> drain() {
    List<Item> drained = List.copyOf(items);
    items.clear();
    flushOwed = false;
    return drained;
  }
}
