package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationMessages.Claimed;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The notification projection's claims that wait for the fast path: a claim is answered once none
 * of its ids is in flight there, with the ids the projection must publish itself (still in the
 * outbox and not settled by the fast path). Mutable and confined to its entity's actor (no locks).
 * In memory only: a claim lost with its incarnation goes unanswered, and the projection, whose ask
 * failed, claims its group again.
 */
final class ClaimHandshake {

  /** The answer owed to one claim. */
  record Answer(ActorRef<Claimed> replyTo, Claimed claimed) {}

  private record Waiting(List<Long> outboxIds, ActorRef<Claimed> replyTo) {}

  private final List<Waiting> waiting = new ArrayList<>();

  void add(List<Long> outboxIds, ActorRef<Claimed> replyTo) {
    waiting.add(new Waiting(List.copyOf(outboxIds), replyTo));
  }

  /** Takes out every claim none of whose ids is in flight on {@code cursor}, each with its answer. */
  List<Answer> answerable(FastPathCursor cursor, Outbox outbox) {
    List<Answer> answers = new ArrayList<>();
    for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
      Waiting claim = it.next();
      if (claim.outboxIds().stream().anyMatch(cursor::inFlight)) {
        continue;
      }
      it.remove();
      List<Long> toPublish = claim.outboxIds().stream()
          .filter(id -> outbox.contains(id) && !cursor.isSettled(id))
          .toList();
      answers.add(new Answer(claim.replyTo(), new Claimed(toPublish)));
    }
    return answers;
  }
}
