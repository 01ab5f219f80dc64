package dev.tugboat.persistence;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.Notification;
import java.util.ArrayList;
import java.util.List;

/**
 * The notifications a simulation still owes the SO, in the order they were queued. An entry
 * leaves only when the broker acknowledged it; {@code nextId} never goes back, so ids are unique.
 */
public record Outbox(long nextId, List<Entry> pending) implements CborSerializable {

  /** One owed notification and its sequence id. */
  public record Entry(long id, Notification notification) implements CborSerializable {}

  public Outbox {
    pending = List.copyOf(pending);
  }

  public static Outbox empty() {
    return new Outbox(1, List.of());
  }

  public boolean isEmpty() {
    return pending.isEmpty();
  }

  public boolean contains(long id) {
    return pending.stream().anyMatch(e -> e.id() == id);
  }

  public Outbox add(long id, Notification notification) {
    if (contains(id)) {
      return this;
    }
    List<Entry> next = new ArrayList<>(pending);
    next.add(new Entry(id, notification));
    return new Outbox(Math.max(nextId, id + 1), next);
  }

  public Outbox remove(long id) {
    List<Entry> next = new ArrayList<>(pending);
    next.removeIf(e -> e.id() == id);
    return new Outbox(nextId, next);
  }
}
