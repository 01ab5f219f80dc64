package dev.tugboat.persistence;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The progress of an ended simulation asking its services to remove themselves after
 * ended-retention: where the next ask starts in the model table, which asks are unanswered (at
 * most a window of them), and whether any service refused (it still owns its pod) or did not
 * answer. In memory only: a new incarnation starts the removal over, and removing is idempotent.
 */
record ServiceRemovals(int cursor, Set<String> unanswered, boolean anyKept) {

  ServiceRemovals {
    unanswered = Set.copyOf(unanswered);
  }

  static ServiceRemovals start() {
    return new ServiceRemovals(0, Set.of(), false);
  }

  /** How many services may be asked now: the rest of the {@code models}, within {@code window} unanswered. */
  int room(int models, int window) {
    return Math.max(0, Math.min(models - cursor, window - unanswered.size()));
  }

  /** The progress once these services, the next ones in table order, have been asked. */
  ServiceRemovals asked(List<String> modelIds) {
    Set<String> now = new HashSet<>(unanswered);
    now.addAll(modelIds);
    return new ServiceRemovals(cursor + modelIds.size(), now, anyKept);
  }

  /** A service answered: removed, or kept. An answer to no ask of this round changes nothing. */
  ServiceRemovals answered(String modelId, boolean removed) {
    if (!unanswered.contains(modelId)) {
      return this;
    }
    Set<String> now = new HashSet<>(unanswered);
    now.remove(modelId);
    return new ServiceRemovals(cursor, now, anyKept || !removed);
  }

  /** Every one of {@code models} services was asked and has answered. */
  boolean complete(int models) {
    return cursor >= models && unanswered.isEmpty();
  }
}
