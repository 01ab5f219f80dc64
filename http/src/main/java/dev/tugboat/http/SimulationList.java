package dev.tugboat.http;

import dev.tugboat.protocol.simulation.SimulationSummary;
import dev.tugboat.protocol.simulation.SimulationView;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * The simulation list behind {@code GET /api/v1/simulations}, answered from a read model (node
 * answers from the journal database) without waking any entity. Pages are keyed by a sort key
 * that only grows with each new simulation: newest first, each page below the last one's key.
 */
public interface SimulationList {

  /** What to list: at most {@code limit} simulations below {@code before} (all when empty), narrowed by the filters. */
  record Query(Optional<SimulationView.Phase> phase, Optional<String> simulatorId, int limit, OptionalLong before) {}

  /** One page, newest first, and the key below which the next page starts (empty on the last page). */
  record Page(List<SimulationSummary> items, OptionalLong next) {
    public Page {
      items = List.copyOf(items);
    }
  }

  CompletionStage<Page> list(Query query);
}
