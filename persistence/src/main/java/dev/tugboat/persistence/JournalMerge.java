package dev.tugboat.persistence;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Merges what the event stream released from each journal into one sequence: by the time each
 * event was decided ({@code at}; along a chain of cause and effect, such as a service's end and its
 * simulation's record of it, these only grow), then journal, never reordering a journal's own
 * events (a reader's position in each journal only grows, so they stay in ordering order).
 */
final class JournalMerge {
  private JournalMerge() {}

  static final Comparator<JournaledEvent> ORDER =
      Comparator.comparing((JournaledEvent e) -> e.event().at()).thenComparingInt(JournaledEvent::journal);

  static List<JournaledEvent> merge(List<List<JournaledEvent>> perJournal) {
    if (perJournal.size() == 1) {
      return perJournal.get(0);
    }
    int total = perJournal.stream().mapToInt(List::size).sum();
    List<JournaledEvent> out = new ArrayList<>(total);
    int[] next = new int[perJournal.size()];
    while (out.size() < total) {
      int pick = -1;
      for (int j = 0; j < perJournal.size(); j++) {
        if (next[j] < perJournal.get(j).size() && (pick < 0
            || ORDER.compare(perJournal.get(j).get(next[j]), perJournal.get(pick).get(next[pick])) < 0)) {
          pick = j;
        }
      }
      out.add(perJournal.get(pick).get(next[pick]++));
    }
    return out;
  }
}
