package dev.tugboat.persistence;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.Notification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The notifications a simulation still owes the SO, in the order they were queued. An entry
 * leaves when the broker acknowledged it, or when it was refused as one that can never be
 * published: then it is kept in {@code abandoned}, with the reason, for the view. {@code nextId}
 * never goes back, so ids are unique. Entries are kept sorted by id, so lookups are binary
 * searches. A snapshot written before {@code abandoned} existed reads as none abandoned.
 */
public record Outbox(long nextId, List<Entry> pending, List<Abandoned> abandoned) implements CborSerializable {

  /** One owed notification and its sequence id. */
  public record Entry(long id, Notification notification) implements CborSerializable {}

  /** An entry given up: the notifier refused it permanently at {@code at}. */
  public record Abandoned(long id, Notification notification, String reason, Instant at)
      implements CborSerializable {}

  public Outbox(long nextId, List<Entry> pending) {
    this(nextId, pending, List.of());
  }

  public Outbox {
    abandoned = abandoned == null ? List.of() : List.copyOf(abandoned);
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
    return new Outbox(Math.max(nextId, id + 1), next, abandoned);
  }

  public Outbox remove(long id) {
    int position = position(id);
    if (position < 0) {
      return this;
    }
    List<Entry> next = new ArrayList<>(pending);
    next.remove(position);
    return new Outbox(nextId, next, abandoned);
  }

  /** The entry leaves without being delivered and is kept among the abandoned ones (unknown id: unchanged). */
  public Outbox abandon(long id, String reason, Instant at) {
    int position = position(id);
    if (position < 0) {
      return this;
    }
    List<Entry> next = new ArrayList<>(pending);
    Entry entry = next.remove(position);
    List<Abandoned> given = new ArrayList<>(abandoned.size() + 1);
    given.addAll(abandoned);
    given.add(new Abandoned(id, entry.notification(), reason, at));
    return new Outbox(nextId, next, given);
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
