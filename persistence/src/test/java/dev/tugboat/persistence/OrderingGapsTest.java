package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.protocol.events.LifecycleEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderingGapsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final long SECOND = 1_000_000_000L;

  private static List<JournalRow> rows(long... orderings) {
    return Arrays.stream(orderings)
        .mapToObj(o -> new JournalRow(o, LifecycleEvent.ofSimulation("T", "sim", Instant.EPOCH, null))).toList();
  }

  private static List<Long> orderings(OrderingGaps.Released r) {
    return r.rows().stream().map(JournalRow::ordering).toList();
  }

  @Test
  void releasesRowsThatFollowWithoutAGap() {
    OrderingGaps.Released r = OrderingGaps.at(4).release(rows(5, 6, 7), 0, TIMEOUT);
    assertEquals(List.of(5L, 6L, 7L), orderings(r));
    assertEquals(7, r.next().position());
  }

  @Test
  void holdsRowsAboveAGapUntilItFills() {
    OrderingGaps.Released first = OrderingGaps.at(4).release(rows(5, 7, 8), 0, TIMEOUT);
    assertEquals(List.of(5L), orderings(first), "6 may be a transaction still in flight");
    assertEquals(5, first.next().position());

    OrderingGaps.Released filled = first.next().release(rows(6, 7, 8), SECOND, TIMEOUT);
    assertEquals(List.of(6L, 7L, 8L), orderings(filled));
    assertEquals(8, filled.next().position());
    assertEquals(false, filled.next().stalled());
  }

  @Test
  void skipsAGapThatStaysMissingForTheTimeout() {
    OrderingGaps.Released first = OrderingGaps.at(4).release(rows(7), 0, TIMEOUT);
    assertEquals(List.of(), orderings(first));
    OrderingGaps.Released early = first.next().release(rows(7), TIMEOUT.toNanos() - 1, TIMEOUT);
    assertEquals(List.of(), orderings(early), "not yet: just under the timeout");
    OrderingGaps.Released late = early.next().release(rows(7, 8), TIMEOUT.toNanos(), TIMEOUT);
    assertEquals(List.of(7L, 8L), orderings(late));
    assertEquals(8, late.next().position());
  }

  @Test
  void aRunOfGapsBelowRowsSeenWhenTheWaitBeganCostsOneWait() {
    OrderingGaps.Released first = OrderingGaps.at(0).release(rows(2, 4, 6), 0, TIMEOUT);
    OrderingGaps.Released late = first.next().release(rows(2, 4, 6), TIMEOUT.toNanos(), TIMEOUT);
    assertEquals(List.of(2L, 4L, 6L), orderings(late), "3 and 5 were missing since 4 and 6 were seen");
  }

  @Test
  void aGapAboveWhatWasSeenWhenTheWaitBeganWaitsAgain() {
    OrderingGaps.Released first = OrderingGaps.at(0).release(rows(2), 0, TIMEOUT);
    OrderingGaps.Released late = first.next().release(rows(2, 4), TIMEOUT.toNanos(), TIMEOUT);
    assertEquals(List.of(2L), orderings(late), "3 was first seen missing just now");
    assertEquals(2, late.next().position());
    OrderingGaps.Released later = late.next().release(rows(4), TIMEOUT.toNanos() + SECOND, TIMEOUT);
    assertEquals(List.of(), orderings(later));
    OrderingGaps.Released done = later.next().release(rows(4), 2 * TIMEOUT.toNanos() + SECOND, TIMEOUT);
    assertEquals(List.of(4L), orderings(done));
  }

  @Test
  void rowsThatAreNoLifecycleEventStillAdvanceThePosition() {
    List<JournalRow> mixed = List.of(new JournalRow(5, null),
        new JournalRow(6, LifecycleEvent.ofSimulation("T", "sim", Instant.EPOCH, null)));
    OrderingGaps.Released r = OrderingGaps.at(4).release(mixed, 0, TIMEOUT);
    assertEquals(6, r.next().position());
    assertEquals(2, r.rows().size());
  }
}
