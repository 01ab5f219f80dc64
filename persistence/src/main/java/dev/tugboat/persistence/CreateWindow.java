package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationState.Model;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A simulation's Creates in flight: which models wait for their service's answer (at most
 * create-window), where the next scan of the model table for owed Creates starts, and when this
 * incarnation first asked each unacknowledged model. The create deadline counts from that first
 * ask, not from the deployment: a simulation recovered on another node after the deadline, or a
 * deployment whose window reaches a model late, must not fail services that were never asked.
 * Under hold-on-failure an overdue Create is not given up, and is logged once per incarnation.
 * Mutable and confined to its entity's actor: it changes with every Create of a 10,000-model
 * deployment, where a copy per change would cost more than the bookkeeping. In memory only: a new
 * incarnation asks again.
 */
final class CreateWindow {
  private final Set<String> inFlight = new HashSet<>();
  private final Map<String, Instant> firstAsked = new HashMap<>();
  private int cursor;
  private boolean holdReported;

  /**
   * The models to ask now, in table order from where the last scan stopped, while fewer than
   * {@code window} are in flight; each is marked in flight and its first ask recorded at {@code now}.
   */
  List<Model> next(ModelTable models, int window, Instant now) {
    List<Model> toAsk = new ArrayList<>();
    if (models.awaitingCreateCount() == 0) {
      return toAsk;
    }
    while (cursor < models.size() && inFlight.size() < window) {
      Model m = models.get(cursor++);
      String modelId = m.spec().modelId();
      if (m.createAcknowledged() || m.termination() != null || !inFlight.add(modelId)) {
        continue;
      }
      firstAsked.putIfAbsent(modelId, now);
      toAsk.add(m);
    }
    return toAsk;
  }

  /** Whether a scan could ask more now: room in the window and table left to scan. */
  boolean canAskMore(int modelCount, int window) {
    return inFlight.size() < window && cursor < modelCount;
  }

  /** The next scan starts at the top of the table again (each tick, to re-send unanswered Creates). */
  void rescan() {
    cursor = 0;
  }

  /** The service answered (or the ask failed): the model leaves the window. */
  void answered(String modelId) {
    inFlight.remove(modelId);
  }

  /** The model's Create is acknowledged or given up: its deadline no longer runs. */
  void settled(String modelId) {
    firstAsked.remove(modelId);
  }

  /** Whether any model was first asked before {@code instant}. */
  boolean anyAskedBefore(Instant instant) {
    return firstAsked.values().stream().anyMatch(t -> t.isBefore(instant));
  }

  /** When this incarnation first asked the model, if it did and the ask is not settled. */
  Optional<Instant> firstAsked(String modelId) {
    return Optional.ofNullable(firstAsked.get(modelId));
  }

  /**
   * The models still owed a Create (neither acknowledged nor ended) that this incarnation first
   * asked before {@code askedBefore}, in table order.
   */
  List<Model> overdue(ModelTable models, Instant askedBefore) {
    if (models.awaitingCreateCount() == 0 || !anyAskedBefore(askedBefore)) {
      return List.of();
    }
    return models.stream()
        .filter(m -> !m.createAcknowledged() && m.termination() == null)
        .filter(m -> firstAsked(m.spec().modelId()).filter(t -> t.isBefore(askedBefore)).isPresent())
        .toList();
  }

  /** Overdue Creates are held (hold-on-failure): true the first time in this incarnation, which logs it. */
  boolean reportHold() {
    boolean first = !holdReported;
    holdReported = true;
    return first;
  }
}
