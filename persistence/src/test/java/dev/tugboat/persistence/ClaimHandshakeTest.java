package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.persistence.SimulationMessages.Claimed;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.TerminationStatus;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.junit.jupiter.api.Test;

class ClaimHandshakeTest {

  private static Outbox outbox(long... ids) {
    Outbox o = Outbox.empty();
    for (long id : ids) {
      o = o.add(id, new Notification.ModelHasTerminated("sim", "m" + id, TerminationStatus.SUCCEEDED, 0));
    }
    return o;
  }

  @Test
  void aClaimWithNothingInFlightIsAnsweredAtOnceWithTheIdsStillOwed() {
    ClaimHandshake claims = new ClaimHandshake();
    FastPathCursor cursor = new FastPathCursor();
    TestInbox<Claimed> projection = TestInbox.create();
    claims.add(List.of(1L, 2L, 9L), projection.getRef());
    List<ClaimHandshake.Answer> answers = claims.answerable(cursor, outbox(1, 2));
    assertEquals(List.of(new ClaimHandshake.Answer(projection.getRef(), new Claimed(List.of(1L, 2L)))), answers,
        "9 is not in the outbox: delivered already");
    assertEquals(List.of(), claims.answerable(cursor, outbox(1, 2)), "a claim is answered once");
  }

  @Test
  void aClaimWaitsForTheFastPublishesOfItsIdsAndLeavesOutWhatTheySettled() {
    ClaimHandshake claims = new ClaimHandshake();
    FastPathCursor cursor = new FastPathCursor();
    cursor.startAt(1);
    Outbox o = outbox(1, 2, 3);
    cursor.take(o);
    TestInbox<Claimed> first = TestInbox.create();
    TestInbox<Claimed> second = TestInbox.create();
    claims.add(List.of(1L, 2L), first.getRef());
    claims.add(List.of(3L), second.getRef());
    assertEquals(List.of(), claims.answerable(cursor, o), "every claimed id is in flight");
    cursor.settle(1);
    cursor.stop(2);
    assertEquals(List.of(new ClaimHandshake.Answer(first.getRef(), new Claimed(List.of(2L)))),
        claims.answerable(cursor, o), "1 was acknowledged to the fast path; 2 is the projection's");
    cursor.settle(3);
    assertEquals(List.of(new ClaimHandshake.Answer(second.getRef(), new Claimed(List.of()))),
        claims.answerable(cursor, o));
  }
}
