package dev.tugboat.k8s;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A queue that serves its keys (simulations) in turn, one item each, and each key's items in
 * their order: a simulation of 10,000 pods cannot hold back the three pods of one asked after
 * it. A key's items are ordered by a number the caller gives (first asked, first served); a key
 * that empties leaves the rotation and joins at its end when it comes back. Not thread-safe: it
 * lives inside one actor.
 */
final class FairQueue<T> {
  /** Keys in rotation order, each with its items by order. */
  private final LinkedHashMap<String, TreeMap<Long, T>> byKey = new LinkedHashMap<>();
  private int size;

  /** Adds {@code item} under {@code key}; an item already there with the same order is replaced. */
  void add(String key, long order, T item) {
    if (byKey.computeIfAbsent(key, k -> new TreeMap<>()).put(order, item) == null) {
      size++;
    }
  }

  /** Takes the first item of the key whose turn it is, which then goes to the end of the rotation; null when empty. */
  T pollNext() {
    Iterator<Map.Entry<String, TreeMap<Long, T>>> it = byKey.entrySet().iterator();
    if (!it.hasNext()) {
      return null;
    }
    Map.Entry<String, TreeMap<Long, T>> first = it.next();
    T item = first.getValue().pollFirstEntry().getValue();
    size--;
    it.remove();
    if (!first.getValue().isEmpty()) {
      byKey.put(first.getKey(), first.getValue());
    }
    return item;
  }

  /** The item {@link #pollNext} would take, without taking it; null when empty. */
  T peekNext() {
    Iterator<TreeMap<Long, T>> it = byKey.values().iterator();
    return it.hasNext() ? it.next().firstEntry().getValue() : null;
  }

  /** Removes the item of {@code key} with {@code order}; returns it, or null if there is none. */
  T remove(String key, long order) {
    TreeMap<Long, T> items = byKey.get(key);
    if (items == null) {
      return null;
    }
    T removed = items.remove(order);
    if (removed != null) {
      size--;
      if (items.isEmpty()) {
        byKey.remove(key);
      }
    }
    return removed;
  }

  /**
   * Where the item of {@code key} with {@code order} stands (1 = served next): the items of its own
   * key before it, and from every other key as many as are served before its turn comes.
   */
  int position(String key, long order) {
    TreeMap<Long, T> own = byKey.get(key);
    if (own == null) {
      return size + 1;
    }
    int round = own.headMap(order, false).size();
    int position = 1 + round;
    boolean ahead = true;
    for (Map.Entry<String, TreeMap<Long, T>> e : byKey.entrySet()) {
      if (e.getKey().equals(key)) {
        ahead = false;
        continue;
      }
      position += Math.min(e.getValue().size(), ahead ? round + 1 : round);
    }
    return position;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** Every item, key by key in rotation order (for gauges and tests). */
  Iterable<T> items() {
    return () -> byKey.values().stream().flatMap(m -> m.values().stream()).iterator();
  }
}
