package dev.tugboat.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The journal tags of a simulation's event, each the slice tag of the projection that reads the
 * event: the notification projection's on events that queue a notification, the simulation list's
 * on events the list shows. An event neither reads carries none.
 */
final class SimulationEventTags {
  private SimulationEventTags() {}

  static Set<String> of(NotificationTags slices, String simulationId, SimulationEvent event) {
    List<String> tags = new ArrayList<>(2);
    if (NotificationHandler.queuesNotifications(event)) {
      tags.add(slices.tagFor(simulationId));
    }
    if (SimulationSummaryProjection.summarizes(event)) {
      tags.add(SimulationSummaryProjection.tagFor(slices, simulationId));
    }
    return Set.copyOf(tags);
  }
}
