package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.protocol.events.LifecycleEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalMergeTest {

  private static JournaledEvent e(int journal, long ordering, long written) {
    return new JournaledEvent(journal, ordering,
        LifecycleEvent.ofSimulation("T", "s", Instant.EPOCH.plusMillis(written), null));
  }

  @Test
  void interleavesTheJournalsByTheTimeEachEventWasDecided() {
    List<JournaledEvent> merged = JournalMerge.merge(List.of(
        List.of(e(0, 1, 100), e(0, 2, 300)),
        List.of(e(1, 7, 200), e(1, 8, 400))));
    assertEquals(List.of(e(0, 1, 100), e(1, 7, 200), e(0, 2, 300), e(1, 8, 400)), merged);
  }

  @Test
  void neverReordersOneJournalEvenWhenItsClockWentBack() {
    List<JournaledEvent> merged = JournalMerge.merge(List.of(
        List.of(e(0, 1, 500), e(0, 2, 100)),
        List.of(e(1, 7, 300))));
    assertEquals(List.of(e(1, 7, 300), e(0, 1, 500), e(0, 2, 100)), merged);
  }

  @Test
  void equalTimesGoJournalByJournal() {
    List<JournaledEvent> merged = JournalMerge.merge(List.of(List.of(e(0, 1, 100)), List.of(e(1, 1, 100))));
    assertEquals(List.of(e(0, 1, 100), e(1, 1, 100)), merged);
  }
}
