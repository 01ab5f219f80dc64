package dev.tugboat.persistence;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link EntityRemoval} that records the persistence ids it was asked to remove and succeeds. */
final class RecordingRemoval implements EntityRemoval {

  final List<String> removed = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<Integer> remove(String persistenceId) {
    removed.add(persistenceId);
    return CompletableFuture.completedFuture(1);
  }
}
