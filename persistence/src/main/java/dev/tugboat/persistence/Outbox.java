package dev.tugboat.persistence;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.Notification;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The notifications a simulation still owes the SO, in the order they were queued. An entry
 * leaves only when the broker acknowledged it; {@code nextId} never goes back, so ids are unique.
 * Entries are kept sorted by id, so lookups are binary searches.
 */
public record Outbox(long nextId, List<Entry> pending) implements CborSerializable {

  /** One owed notification and its sequence id. */
  public record Entry(long id, Notification notification) implements CborSerializable {}

  public Outbox {
    pending = List.copyOf(pending);
    if (!sortedById(pending)) {
      // Only a hand-made or foreign list; ids are always queued in increasing order.
      List<Entry> sorted = new ArrayList<>(pending);
      sorted.sort(Comparator.comparingLong(Entry::id));
      pending = List.copyOf(sorted);
    }
  }

  private static boolean sortedById(List<Entry> entries) {
    for (int i = 1; i < entries.size(); i++) {
      if (entries.get(i - 1).id() >= entries.get(i).id()) {
        return false;
      }
    }
    return true;
  }

  public static Outbox empty() {
    return new Outbox(1, List.of());
  }

  public boolean isEmpty() {
    return pending.isEmpty();
  }

  public boolean contains(long id) {
    return position(id) >= 0;
  }

  /** Adds the entry in id order (ids are queued in increasing order, so this appends). */
  public Outbox add(long id, Notification notification) {
    int position = position(id);
    if (position >= 0) {
      return this;
    }
    List<Entry> next = new ArrayList<>(pending.size() + 1);
    next.addAll(pending);
    next.add(-position - 1, new Entry(id, notification));
    return new Outbox(Math.max(nextId, id + 1), next);
  }

  public Outbox remove(long id) {
    int position = position(id);
    if (position < 0) {
      return this;
    }
    List<Entry> next = new ArrayList<>(pending);
    next.remove(position);
    return new Outbox(nextId, next);
  }

  /** Binary search over the entries, kept sorted by id: the index, or -(insertion point) - 1. */
  private int position(long id) {
    int low = 0;
    int high = pending.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      long midId = pending.get(mid).id();
      if (midId < id) {
        low = mid + 1;
      } else if (midId > id) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -low - 1;
  }
}
