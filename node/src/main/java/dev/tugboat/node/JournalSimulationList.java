package dev.tugboat.node;

import dev.tugboat.http.SimulationList;
import dev.tugboat.persistence.SimulationSummaries;
import java.util.concurrent.CompletionStage;

/** The HTTP simulation list, answered from the journal database's read model ({@link SimulationSummaries}). */
final class JournalSimulationList implements SimulationList {

  private final SimulationSummaries summaries;

  JournalSimulationList(SimulationSummaries summaries) {
    this.summaries = summaries;
  }

  @Override
  public CompletionStage<Page> list(Query query) {
    return summaries.list(query.phase(), query.simulatorId(), query.limit(), query.before())
        .thenApply(page -> new Page(page.items(), page.next()));
  }
}
