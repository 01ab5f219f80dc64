package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.TerminationStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class FastPathCursorTest {

  private static Outbox outbox(long... terminatedIds) {
    Outbox o = Outbox.empty();
    for (long id : terminatedIds) {
      o = o.add(id, new Notification.ModelHasTerminated("sim", "m" + id, TerminationStatus.SUCCEEDED, 0));
    }
    return o;
  }

  private static List<Long> ids(List<Outbox.Entry> entries) {
    return entries.stream().map(Outbox.Entry::id).toList();
  }

  @Test
  void publishesNothingBeforeRecoveryAndOnlyWhatWasQueuedAfterIt() {
    FastPathCursor cursor = new FastPathCursor();
    Outbox queuedBefore = outbox(1, 2);
    assertEquals(List.of(), ids(cursor.take(queuedBefore)), "before recovery nothing is the fast path's");
    cursor.startAt(queuedBefore.nextId());
    assertEquals(List.of(), ids(cursor.take(queuedBefore)), "entries of an earlier incarnation are the projection's");
    Outbox later = queuedBefore.add(3, new Notification.ModelsReady("sim"));
    assertEquals(List.of(3L), ids(cursor.take(later)));
    assertTrue(cursor.inFlight(3));
    assertEquals(List.of(), ids(cursor.take(later)), "an entry is taken once");
  }

  @Test
  void allModelsHaveTerminatedWaitsUntilEveryEarlierEntryIsSettled() {
    FastPathCursor cursor = new FastPathCursor();
    cursor.startAt(1);
    Outbox o = outbox(1, 2).add(3, new Notification.AllModelsHaveTerminated("sim"));
    assertEquals(List.of(1L, 2L), ids(cursor.take(o)), "AllModelsHaveTerminated waits for 1 and 2");
    cursor.settle(1);
    assertEquals(List.of(), ids(cursor.take(o)), "2 is still unanswered");
    cursor.settle(2);
    assertFalse(cursor.inFlight(2));
    assertTrue(cursor.isSettled(2));
    assertEquals(List.of(3L), ids(cursor.take(o)));
  }

  @Test
  void allModelsHaveTerminatedWaitsForAnEarlierEntryOfAnEarlierIncarnationToo() {
    FastPathCursor cursor = new FastPathCursor();
    cursor.startAt(2);
    Outbox o = outbox(1).add(2, new Notification.AllModelsHaveTerminated("sim"));
    assertEquals(List.of(), ids(cursor.take(o)), "entry 1 is owed and not settled here");
    Outbox delivered = o.remove(1);
    assertEquals(List.of(2L), ids(cursor.take(delivered)), "once 1 left the outbox, the end goes");
  }

  @Test
  void aFailedPublishStopsTheFastPathForTheIncarnation() {
    FastPathCursor cursor = new FastPathCursor();
    cursor.startAt(1);
    cursor.take(outbox(1, 2));
    assertTrue(cursor.stop(1), "the first stop is reported");
    assertFalse(cursor.stop(2), "later ones are not");
    assertFalse(cursor.inFlight(1));
    assertFalse(cursor.inFlight(2));
    assertEquals(List.of(), ids(cursor.take(outbox(1, 2, 3))), "nothing more goes the fast way");
  }

  @Test
  void aClaimMovesTheCursorPastTheClaimedEntries() {
    FastPathCursor cursor = new FastPathCursor();
    cursor.startAt(1);
    cursor.leaveToProjection(List.of(2L, 1L));
    assertEquals(List.of(3L), ids(cursor.take(outbox(1, 2, 3))));
    cursor.leaveToProjection(List.of(1L));
    assertEquals(List.of(4L), ids(cursor.take(outbox(1, 2, 3, 4))), "an older claim never moves it back");
  }

  @Test
  void settledEntriesAreForgottenOnceTheOutboxNoLongerHoldsThem() {
    FastPathCursor cursor = new FastPathCursor();
    cursor.startAt(1);
    Outbox o = outbox(1, 2);
    cursor.take(o);
    cursor.settle(1);
    cursor.settle(2);
    cursor.forgetJournaled(o.remove(1));
    assertFalse(cursor.isSettled(1), "its NotificationDelivered is journaled");
    assertTrue(cursor.isSettled(2), "its event is not journaled yet");
  }
}
