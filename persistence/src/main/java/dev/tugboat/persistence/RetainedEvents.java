package dev.tugboat.persistence;

import dev.tugboat.protocol.events.EventPosition;
import java.util.Optional;

/**
 * Whether a reader can resume after a position in one journal: not when an ordering between the
 * position and the oldest lifecycle event still in the journal is missing, since that is where
 * events were removed (ended-retention) or never committed; the reader is told to list again
 * ({@code 410 Gone}). Rows that are no lifecycle event (Cluster Sharding's, never removed) count
 * as present, so they neither hide a removal nor make one up.
 */
final class RetainedEvents {
  private RetainedEvents() {}

  /**
   * Why {@code requested} cannot be resumed from in {@code journal}, whose oldest lifecycle event
   * is at {@code oldest}, given how many rows lie strictly between the position and it.
   */
  static Optional<String> problem(EventPosition requested, int journal, long oldest, long rowsBetween) {
    long after = requested.ordering(journal);
    long between = oldest - after - 1;
    if (between <= 0 || rowsBetween >= between) {
      return Optional.empty();
    }
    return Optional.of("events after " + requested + " are no longer retained (" + (between - rowsBetween)
        + " missing below the oldest kept, ordering " + oldest + " of journal " + journal
        + "); list again and open the stream without an id");
  }
}
