package dev.tugboat.persistence;

import dev.tugboat.persistence.ServiceEvent.CreationQueued;
import dev.tugboat.persistence.ServiceEvent.HoldReleased;
import dev.tugboat.persistence.ServiceEvent.PodCreated;
import dev.tugboat.persistence.ServiceEvent.PodCreationStarted;
import dev.tugboat.persistence.ServiceEvent.PodDeleted;
import dev.tugboat.persistence.ServiceEvent.PodDeletionAbandoned;
import dev.tugboat.persistence.ServiceEvent.PodRunning;
import dev.tugboat.persistence.ServiceEvent.ServiceFailed;
import dev.tugboat.persistence.ServiceEvent.ServiceHeld;
import dev.tugboat.persistence.ServiceEvent.ServiceRequested;
import dev.tugboat.persistence.ServiceEvent.ServiceTerminated;
import dev.tugboat.persistence.ServiceEvent.SimulationNotified;
import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceHistoryEntry;
import dev.tugboat.protocol.service.ServiceHistoryEntry.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * How journal events read as a service's history: one entry per service event, in journal order,
 * with the simulation's ModelReady of that model placed where its time falls. Also what the journal
 * keeps of the pod's log (the tail captured when the container ended). Pure: no journal access.
 */
final class ServiceHistoryMapping {

  private ServiceHistoryMapping() {}

  /**
   * The history of model {@code modelId}: {@code service} in journal order, each ModelReady of
   * {@code simulation} about this model inserted before the first service step that came after
   * it (at the same instant, before the steps that follow READY in a service's life).
   */
  static List<ServiceHistoryEntry> entries(List<ServiceEvent> service, List<SimulationEvent> simulation,
      String modelId) {
    List<ServiceHistoryEntry> entries = new ArrayList<>(service.size() + 1);
    for (ServiceEvent e : service) {
      entries.add(entry(e));
    }
    for (SimulationEvent e : simulation) {
      if (e instanceof ModelReady ready && ready.modelId().equals(modelId)) {
        ServiceHistoryEntry entry = ServiceHistoryEntry.of(ready.at(), Type.READY, null);
        int i = 0;
        while (i < entries.size() && !after(entries.get(i), entry)) {
          i++;
        }
        entries.add(i, entry);
      }
    }
    return List.copyOf(entries);
  }

  private static boolean after(ServiceHistoryEntry step, ServiceHistoryEntry ready) {
    int byTime = step.at().compareTo(ready.at());
    return byTime > 0 || (byTime == 0 && step.type().compareTo(ready.type()) > 0);
  }

  static ServiceHistoryEntry entry(ServiceEvent event) {
    if (event instanceof ServiceRequested e) {
      return ServiceHistoryEntry.of(e.at(), Type.REQUESTED, e.spec().podName());
    }
    if (event instanceof PodCreationStarted e) {
      return ServiceHistoryEntry.of(e.at(), Type.CREATING, e.podName());
    }
    if (event instanceof CreationQueued e) {
      return new ServiceHistoryEntry(e.at(), Type.QUEUED, e.podName(), e.position(), null, null, e.reason(), null);
    }
    if (event instanceof ServiceHeld e) {
      return new ServiceHistoryEntry(e.at(), Type.HELD, e.podName(), null, null, null, e.reason(), null);
    }
    if (event instanceof HoldReleased e) {
      return ServiceHistoryEntry.of(e.at(), Type.RETRIED, e.podName());
    }
    if (event instanceof PodCreated e) {
      return ServiceHistoryEntry.of(e.at(), Type.CREATED, e.podName());
    }
    if (event instanceof PodRunning e) {
      return ServiceHistoryEntry.of(e.at(), Type.RUNNING, e.podName());
    }
    if (event instanceof ServiceTerminated e) {
      return new ServiceHistoryEntry(e.at(), Type.TERMINATED, e.podName(), null, e.status(), e.exitCode(),
          e.reason(), null);
    }
    if (event instanceof ServiceFailed e) {
      return new ServiceHistoryEntry(e.at(), Type.FAILED, e.podName(), null, TerminationStatus.FAILED, e.exitCode(),
          e.reason(), null);
    }
    if (event instanceof SimulationNotified e) {
      return new ServiceHistoryEntry(e.at(), Type.REPORTED, null, null, null, null, e.accepted() ? null : e.detail(),
          e.accepted());
    }
    if (event instanceof PodDeleted e) {
      return ServiceHistoryEntry.of(e.at(), Type.DELETED, e.podName());
    }
    PodDeletionAbandoned e = (PodDeletionAbandoned) event;
    return new ServiceHistoryEntry(e.at(), Type.DELETION_ABANDONED, e.podName(), null, null, null, e.reason(), null);
  }

  /**
   * What the journal says of the pod's log: its name, whether the pod may still exist (it was
   * created and not deleted since), and the tail captured when the container ended (empty when it
   * exited 0, or has not ended).
   */
  static ServiceHistories.StoredLog storedLog(List<ServiceEvent> events) {
    String podName = null;
    boolean created = false;
    boolean deleted = false;
    List<String> lines = List.of();
    for (ServiceEvent e : events) {
      if (e instanceof ServiceRequested r) {
        podName = r.spec().podName();
      } else if (e instanceof PodCreated || e instanceof PodRunning) {
        created = true;
      } else if (e instanceof PodDeleted) {
        deleted = true;
      } else if (e instanceof ServiceTerminated t) {
        lines = t.lastLogLines();
      }
    }
    return new ServiceHistories.StoredLog(podName, created && !deleted, lines);
  }
}
