package dev.tugboat.persistence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How far the event stream has read one journal table, and which of the rows it just read it may
 * release. Orderings are handed out at insert but rows become visible at commit, so a missing
 * ordering below a visible row may be a transaction still in flight: rows are released only in
 * ordering order, and a gap is taken as permanent (a rolled-back insert, a removed event) only once
 * it has been missing for {@code gapTimeout}, as pekko-persistence-jdbc's journal sequence does.
 * A missing ordering below a row that was visible when the wait began has been missing at least
 * that long, so a run of gaps costs one wait, not one each.
 *
 * @param position the highest ordering released (or skipped as a permanent gap)
 * @param stalledSince System.nanoTime() when the wait at {@code position + 1} began, if {@code stalled}
 * @param visibleAtStall the highest ordering seen when that wait began
 */
record OrderingGaps(long position, boolean stalled, long stalledSince, long visibleAtStall) {

  static OrderingGaps at(long position) {
    return new OrderingGaps(position, false, 0, 0);
  }

  /** What {@link #release} lets out, and the state after it. */
  record Released(OrderingGaps next, List<JournalRow> rows) {}

  /**
   * Releases, from {@code rows} (ascending orderings, as read after {@link #position()}), those
   * that follow without a gap that may still fill. Rows that are no lifecycle event are released
   * too: they advance the position.
   */
  Released release(List<JournalRow> rows, long nowNanos, Duration gapTimeout) {
    long pos = position;
    boolean isStalled = stalled;
    long since = stalledSince;
    long visible = visibleAtStall;
    List<JournalRow> out = new ArrayList<>(rows.size());
    for (JournalRow row : rows) {
      if (row.ordering() <= pos) {
        continue;
      }
      if (row.ordering() > pos + 1) {
        if (!isStalled) {
          isStalled = true;
          since = nowNanos;
          visible = rows.get(rows.size() - 1).ordering();
        }
        boolean waitedLongEnough = nowNanos - since >= gapTimeout.toNanos() && row.ordering() <= visible;
        if (!waitedLongEnough) {
          break;
        }
      }
      out.add(row);
      pos = row.ordering();
      if (isStalled && pos >= visible) {
        isStalled = false;
      }
    }
    return new Released(new OrderingGaps(pos, isStalled, since, visible), out);
  }
}
