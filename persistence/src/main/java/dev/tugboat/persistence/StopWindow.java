package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationState.Model;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A terminating simulation's Terminate requests to its services: which models wait for their
 * service's answer (at most a window of them, like Creates) and which services accepted (they
 * report their end themselves and are not asked again). A model that has ended is never asked. A
 * failed or unanswered ask leaves the window and is asked again on the next scan. Immutable; in
 * memory only: a new incarnation asks every model that has not ended again, which a service that
 * already ended answers at once.
 */
record StopWindow(Set<String> inFlight, Set<String> accepted) {

  StopWindow {
    inFlight = Set.copyOf(inFlight);
    accepted = Set.copyOf(accepted);
  }

  static StopWindow empty() {
    return new StopWindow(Set.of(), Set.of());
  }

  /**
   * The models to ask now, in table order: not ended, neither in flight nor accepted, while fewer
   * than {@code window} are in flight.
   */
  List<Model> due(ModelTable models, int window) {
    List<Model> due = new ArrayList<>();
    int room = window - inFlight.size();
    for (int i = 0; i < models.size() && due.size() < room; i++) {
      Model m = models.get(i);
      String modelId = m.spec().modelId();
      if (m.termination() == null && !inFlight.contains(modelId) && !accepted.contains(modelId)) {
        due.add(m);
      }
    }
    return due;
  }

  /** {@code modelIds} were asked: they are in flight. */
  StopWindow asked(Collection<String> modelIds) {
    Set<String> next = new HashSet<>(inFlight);
    next.addAll(modelIds);
    return new StopWindow(next, accepted);
  }

  /** The service of {@code modelId} answered (accepted or not) or the ask failed: it leaves the window. */
  StopWindow answered(String modelId, boolean wasAccepted) {
    Set<String> next = new HashSet<>(inFlight);
    next.remove(modelId);
    if (!wasAccepted) {
      return new StopWindow(next, accepted);
    }
    Set<String> nextAccepted = new HashSet<>(accepted);
    nextAccepted.add(modelId);
    return new StopWindow(next, nextAccepted);
  }
}
