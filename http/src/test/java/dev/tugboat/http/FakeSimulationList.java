package dev.tugboat.http;

import dev.tugboat.protocol.simulation.SimulationSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A simulation list standing in for the read model: fixed summaries whose sort keys are their
 * positions (1 = oldest), paged and filtered as the journal's list does. Every query is recorded;
 * while {@link #failing} is set every query fails.
 */
final class FakeSimulationList implements SimulationList {

  final List<Query> queries = new CopyOnWriteArrayList<>();
  volatile boolean failing;
  private final List<SimulationSummary> oldestFirst;

  FakeSimulationList(List<SimulationSummary> oldestFirst) {
    this.oldestFirst = List.copyOf(oldestFirst);
  }

  @Override
  public CompletionStage<Page> list(Query query) {
    queries.add(query);
    if (failing) {
      return CompletableFuture.failedFuture(new IllegalStateException("database away"));
    }
    List<SimulationSummary> items = new ArrayList<>();
    long last = 0;
    for (int key = oldestFirst.size(); key >= 1; key--) {
      SimulationSummary s = oldestFirst.get(key - 1);
      if (query.before().isPresent() && key >= query.before().getAsLong()
          || query.phase().isPresent() && s.phase() != query.phase().get()
          || query.simulatorId().isPresent() && !s.simulatorId().equals(query.simulatorId().get())) {
        continue;
      }
      if (items.size() == query.limit()) {
        return CompletableFuture.completedFuture(new Page(items, OptionalLong.of(last)));
      }
      items.add(s);
      last = key;
    }
    return CompletableFuture.completedFuture(new Page(items, OptionalLong.empty()));
  }
}
