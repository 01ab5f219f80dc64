package dev.tugboat.persistence;

import dev.tugboat.protocol.Notification;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the fast path stands in its simulation's outbox: the lowest id it may still publish
 * (entries queued before this incarnation, and those the notification projection claimed, are
 * below it), the publishes sent and not answered, the entries acknowledged or given up whose
 * NotificationDelivered / NotificationAbandoned is not journaled yet, and whether a failed publish
 * stopped it. What is owed stays in the journaled outbox: a settled id is forgotten once the
 * outbox no longer holds it. Mutable and confined to its entity's actor (no locks). In memory
 * only: a new incarnation starts past every entry already queued, which the projection delivers.
 */
final class FastPathCursor {
  private long next = Long.MAX_VALUE;
  private final Set<Long> inFlight = new HashSet<>();
  private final Set<Long> settled = new HashSet<>();
  private boolean stopped;

  /** Recovery is complete: only the entries queued from now on, {@code nextId} and after, go the fast way. */
  void startAt(long nextId) {
    next = nextId;
  }

  /**
   * The entries to publish now, in id order; each is in flight from here on. AllModelsHaveTerminated
   * goes only once every entry before it is settled (until then it, and what follows it, waits).
   * Nothing once stopped.
   */
  List<Outbox.Entry> take(Outbox outbox) {
    List<Outbox.Entry> taken = new ArrayList<>();
    if (stopped) {
      return taken;
    }
    for (Outbox.Entry entry : outbox.pending()) {
      if (entry.id() < next) {
        continue;
      }
      if (entry.notification() instanceof Notification.AllModelsHaveTerminated
          && !everyEarlierSettled(outbox, entry.id())) {
        break;
      }
      next = entry.id() + 1;
      inFlight.add(entry.id());
      taken.add(entry);
    }
    return taken;
  }

  private boolean everyEarlierSettled(Outbox outbox, long id) {
    for (Outbox.Entry e : outbox.pending()) {
      if (e.id() >= id) {
        return true;
      }
      if (!settled.contains(e.id())) {
        return false;
      }
    }
    return true;
  }

  /** The broker acknowledged the publish, or the notifier refused it permanently: nothing is owed for it. */
  void settle(long id) {
    inFlight.remove(id);
    settled.add(id);
  }

  /**
   * The publish was refused (not for good) or unanswered: it, and every later notification of this
   * incarnation, is left to the projection. True the first time (the caller logs it once).
   */
  boolean stop(long id) {
    inFlight.remove(id);
    boolean first = !stopped;
    stopped = true;
    return first;
  }

  /** The projection claimed these entries: they, and every earlier one, are no longer the fast path's. */
  void leaveToProjection(List<Long> outboxIds) {
    long highest = outboxIds.stream().mapToLong(Long::longValue).max().orElse(-1);
    next = Math.max(next, highest + 1);
  }

  boolean inFlight(long id) {
    return inFlight.contains(id);
  }

  boolean isSettled(long id) {
    return settled.contains(id);
  }

  /** Forgets the settled entries {@code outbox} no longer holds: their event is journaled. */
  void forgetJournaled(Outbox outbox) {
    if (!settled.isEmpty()) {
      settled.removeIf(id -> !outbox.contains(id));
    }
  }
}
