package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationState.Model;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How an incarnation of a simulation comes to its end: the shard is asked once to passivate it,
 * and once an ended, delivered simulation is past its ended-retention, its services are asked to
 * remove themselves ({@link ServiceRemovals}, a window at a time) and then its own rows are
 * removed. Holds the removal round under way and whether the rows are gone; whether and since
 * when the simulation has ended is read from its state. Mutable and confined to its entity's
 * actor (no locks). In memory only: a new incarnation starts the removal over (every step is
 * idempotent, and the simulation's own rows go last).
 */
final class SimulationExit {

  /** What an ended simulation with nothing left to deliver does now. */
  enum Step {
    /** Its ended-retention is not over: it stops until the retention sweeper wakes it. */
    PASSIVATE,
    /** A removal round starts now: ask the services. */
    REMOVE_SERVICES,
    /** A round is under way (its answers drive it on), or the rows are gone already. */
    NOTHING
  }

  /** Where a removal round stands once its asks so far are sent. */
  enum Round {
    /** Services are still to be asked or to answer. */
    UNDER_WAY,
    /** A service still owns its pod, or did not answer: the round is over, a later sweep tries again. */
    KEPT,
    /** Every service removed itself: the simulation's own rows go next. */
    SERVICES_REMOVED
  }

  private boolean passivating;
  private ServiceRemovals round;
  private boolean removed;

  /** True the first time: the caller asks the shard to passivate the entity. */
  boolean passivate() {
    boolean first = !passivating;
    passivating = true;
    return first;
  }

  /** The step of an ended, delivered simulation at {@code now}; REMOVE_SERVICES starts a round. */
  Step next(Instant now, Instant retentionOver) {
    if (removed) {
      return Step.NOTHING;
    }
    if (now.isBefore(retentionOver)) {
      return Step.PASSIVATE;
    }
    if (round != null) {
      return Step.NOTHING;
    }
    round = ServiceRemovals.start();
    return Step.REMOVE_SERVICES;
  }

  /** The next models whose services the round asks now, in table order, at most {@code window} unanswered. */
  List<Model> toAsk(ModelTable models, int window) {
    int room = round.room(models.size(), window);
    List<Model> asked = new ArrayList<>(room);
    for (int i = round.cursor(); i < round.cursor() + room; i++) {
      asked.add(models.get(i));
    }
    round = round.asked(asked.stream().map(m -> m.spec().modelId()).toList());
    return asked;
  }

  /** Where the round stands with {@code models} services; KEPT ends it. */
  Round progress(int models) {
    if (!round.complete(models)) {
      return Round.UNDER_WAY;
    }
    if (round.anyKept()) {
      round = null;
      return Round.KEPT;
    }
    return Round.SERVICES_REMOVED;
  }

  /** Whether the round under way waits for this service's answer. */
  boolean awaits(String modelId) {
    return round != null && round.unanswered().contains(modelId);
  }

  /** The service answered: it removed itself, or not. */
  void answered(String modelId, boolean removedItself) {
    round = round.answered(modelId, removedItself);
  }

  /** The simulation's rows were removed, or their removal failed (a later sweep tries again); the round is over. */
  void rowsRemoved(boolean done) {
    round = null;
    removed = removed || done;
  }

  /** The simulation's rows are gone: this incarnation only waits to be stopped. */
  boolean removed() {
    return removed;
  }
}
