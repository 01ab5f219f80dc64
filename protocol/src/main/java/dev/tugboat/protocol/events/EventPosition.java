package dev.tugboat.protocol.events;

import dev.tugboat.protocol.Ids;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where a reader of the event stream stands: for each journal the stream reads (the simulations'
 * and the services'), the highest journal ordering it has seen. It is the SSE {@code id} of every
 * event, written as the orderings joined by {@code -} (e.g. {@code 1042-5531}), and what
 * {@code Last-Event-ID} or {@code ?after=} resume after: every event of journal {@code j} whose
 * ordering is above the j-th number, and nothing at or below it. The orderings are the database's,
 * so a position means the same on every node and after a restart.
 */
public record EventPosition(List<Long> orderings) {

  /** Longer ids are refused before they are parsed. */
  static final int MAX_TEXT = 200;

  public EventPosition {
    orderings = List.copyOf(orderings);
    if (orderings.isEmpty()) {
      throw new IllegalArgumentException("a position names at least one journal");
    }
    for (long o : orderings) {
      if (o < 0) {
        throw new IllegalArgumentException("a journal ordering is never negative, got " + o);
      }
    }
  }

  public static EventPosition of(long... orderings) {
    return new EventPosition(Arrays.stream(orderings).boxed().toList());
  }

  /**
   * The position written as {@code text} by {@link #toString()}, for a stream over {@code journals}
   * journals; an IllegalArgumentException says what is wrong with it, in one line.
   */
  public static EventPosition parse(String text, int journals) {
    String shown = Ids.printable(text, 40);
    String expected = "an event id of this stream (" + journals + " number" + (journals == 1 ? "" : "s")
        + (journals == 1 ? ")" : " joined by '-')");
    if (text.length() > MAX_TEXT) {
      throw new IllegalArgumentException("the event id is longer than " + MAX_TEXT + " characters; expected "
          + expected);
    }
    String[] parts = text.split("-", -1);
    if (parts.length != journals) {
      throw new IllegalArgumentException("'" + shown + "' is not " + expected);
    }
    long[] orderings = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].isEmpty() || parts[i].length() > 19 || !parts[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("'" + shown + "' is not " + expected);
      }
      orderings[i] = Long.parseLong(parts[i]);
    }
    return of(orderings);
  }

  public int journals() {
    return orderings.size();
  }

  public long ordering(int journal) {
    return orderings.get(journal);
  }

  /**
   * This position moved on to {@code ordering} in {@code journal}, or empty when the position has
   * already seen it (it is at or below the position): such an event is a duplicate.
   */
  public Optional<EventPosition> advance(int journal, long ordering) {
    if (ordering <= orderings.get(journal)) {
      return Optional.empty();
    }
    Long[] next = orderings.toArray(new Long[0]);
    next[journal] = ordering;
    return Optional.of(new EventPosition(List.of(next)));
  }

  /** Whether this position is at or past {@code other} in every journal. */
  public boolean reaches(EventPosition other) {
    for (int j = 0; j < orderings.size(); j++) {
      if (orderings.get(j) < other.ordering(j)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (long o : orderings) {
      if (!s.isEmpty()) {
        s.append('-');
      }
      s.append(o);
    }
    return s.toString();
  }
}
