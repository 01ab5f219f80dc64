package dev.tugboat.persistence;

import dev.tugboat.persistence.HostedEvent.ReplicaStarted;
import dev.tugboat.persistence.HostedEvent.RestartFinished;
import dev.tugboat.persistence.HostedState.Existing;
import dev.tugboat.persistence.HostedState.Restarting;
import dev.tugboat.persistence.ReplicaSet.Replica;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The new pods a hosted service's replicas get without a command: a failed replica's replacement
 * once its backoff is over, and a restart's next slot (one at a time) or its end. Pure: it returns
 * the events, the entity persists them.
 */
final class ReplicaReplacements {
  private ReplicaReplacements() {}

  /** A new generation for every replica waiting to be replaced whose replace-at has come. */
  static List<HostedEvent> due(String name, Existing s, Instant at) {
    List<HostedEvent> events = new ArrayList<>();
    HostedState state = s;
    for (Replica r : s.replicas().bySlot().values()) {
      if (r.waitingToReplace() && !at.isBefore(r.replaceAt())) {
        Existing e = (Existing) state;
        ReplicaStarted started = new ReplicaStarted(name, r.slot(),
            e.replicas().nextGeneration(r.slot(), e.generationFloor()), at);
        events.add(started);
        state = state.apply(started);
      }
    }
    return events;
  }

  /**
   * What a restart does next from {@code state}: the head slot's new pod when it has none yet,
   * and RestartFinished once no slot remains; nothing outside a restart, nor while the head
   * slot's new pod is asked for and not ready yet.
   */
  static List<HostedEvent> restartSteps(String name, HostedState state, Instant at) {
    List<HostedEvent> events = new ArrayList<>();
    while (state instanceof Restarting r) {
      HostedEvent next;
      if (r.remaining().isEmpty()) {
        next = new RestartFinished(name, at);
      } else if (!r.headReplaced()) {
        int slot = r.remaining().get(0);
        next = new ReplicaStarted(name, slot, r.replicas().nextGeneration(slot, r.generationFloor()), at);
      } else {
        break;
      }
      events.add(next);
      state = state.apply(next);
    }
    return events;
  }
}
