package dev.tugboat.persistence;

import java.util.concurrent.CompletionStage;

/**
 * Removes every journal row of one entity (events, tag rows, snapshots) in one transaction, so the
 * entity recovers as Empty afterwards; completes with the number of events removed (0 when there
 * were none: removing again is harmless).
 */
interface EntityRemoval {

  CompletionStage<Integer> remove(String persistenceId);
}
