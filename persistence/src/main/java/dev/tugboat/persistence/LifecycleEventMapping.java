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
import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.DeploymentRejected;
import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationEvent.NotificationAbandoned;
import dev.tugboat.persistence.SimulationEvent.NotificationDelivered;
import dev.tugboat.persistence.SimulationEvent.ServiceCreateAcknowledged;
import dev.tugboat.persistence.SimulationEvent.SimulationDeployed;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.events.LifecycleEvent;
import dev.tugboat.protocol.service.ServiceView;
import dev.tugboat.protocol.simulation.ModelPhase;
import dev.tugboat.protocol.simulation.SimulationView;

/**
 * The event stream's picture of a journal event ({@link LifecycleEvent}): its type, whom it is
 * about, and the phase it puts them in, per the transition tables of docs/state-machines.md. Every
 * simulation and service event has one; docs/http-api.md lists them.
 */
final class LifecycleEventMapping {
  private LifecycleEventMapping() {}

  static LifecycleEvent of(SimulationEvent event) {
    String type = event.getClass().getSimpleName();
    String id = event.simulationId();
    if (event instanceof SimulationDeployed e) {
      return LifecycleEvent.ofSimulation(type, id, e.at(), SimulationView.Phase.DEPLOYING.name());
    } else if (event instanceof DeploymentRejected e) {
      return LifecycleEvent.ofSimulation(type, id, e.at(), SimulationView.Phase.REJECTED.name()).withReason(e.reason());
    } else if (event instanceof ServiceCreateAcknowledged e) {
      return LifecycleEvent.ofModel(type, id, e.modelId(), e.at(), ModelPhase.STARTING.name());
    } else if (event instanceof ModelReady e) {
      return LifecycleEvent.ofModel(type, id, e.modelId(), e.at(), ModelPhase.READY.name());
    } else if (event instanceof ModelsReadyQueued e) {
      return LifecycleEvent.ofSimulation(type, id, e.at(), SimulationView.Phase.READY.name());
    } else if (event instanceof ModelTerminated e) {
      ModelPhase phase = e.status() == TerminationStatus.SUCCEEDED ? ModelPhase.SUCCEEDED : ModelPhase.FAILED;
      return LifecycleEvent.ofModel(type, id, e.modelId(), e.at(), phase.name())
          .withEnd(e.status().name(), e.exitCode()).withReason(e.reason());
    } else if (event instanceof AllModelsHaveTerminatedQueued e) {
      return LifecycleEvent.ofSimulation(type, id, e.at(), SimulationView.Phase.ENDED.name());
    } else if (event instanceof NotificationDelivered e) {
      return LifecycleEvent.ofSimulation(type, id, e.at(), null);
    } else if (event instanceof NotificationAbandoned e) {
      return LifecycleEvent.ofSimulation(type, id, e.at(), null).withReason(e.reason());
    }
    throw new IllegalArgumentException("no stream picture for " + type);
  }

  static LifecycleEvent of(ServiceEvent event) {
    String type = event.getClass().getSimpleName();
    ServiceId s = event.serviceId();
    if (event instanceof ServiceRequested e) {
      return model(type, s, e, ServiceView.Phase.REQUESTED);
    } else if (event instanceof CreationQueued e) {
      return model(type, s, e, ServiceView.Phase.QUEUED).withPod(e.podName()).withReason(e.reason());
    } else if (event instanceof PodCreationStarted e) {
      return model(type, s, e, ServiceView.Phase.CREATING).withPod(e.podName());
    } else if (event instanceof PodCreated e) {
      return model(type, s, e, ServiceView.Phase.CREATED).withPod(e.podName());
    } else if (event instanceof PodRunning e) {
      return model(type, s, e, ServiceView.Phase.RUNNING).withPod(e.podName());
    } else if (event instanceof ServiceTerminated e) {
      return model(type, s, e, ServiceView.Phase.TERMINATED).withPod(e.podName())
          .withEnd(e.status().name(), e.exitCode()).withReason(e.reason());
    } else if (event instanceof ServiceFailed e) {
      return model(type, s, e, ServiceView.Phase.FAILED).withPod(e.podName())
          .withEnd(TerminationStatus.FAILED.name(), e.exitCode()).withReason(e.reason());
    } else if (event instanceof ServiceHeld e) {
      return model(type, s, e, ServiceView.Phase.HELD).withPod(e.podName()).withReason(e.reason());
    } else if (event instanceof HoldReleased e) {
      return model(type, s, e, ServiceView.Phase.CREATING).withPod(e.podName());
    } else if (event instanceof SimulationNotified e) {
      return model(type, s, e, null).withReason(e.accepted() ? null : e.detail());
    } else if (event instanceof PodDeleted e) {
      return model(type, s, e, ServiceView.Phase.DELETED).withPod(e.podName());
    } else if (event instanceof PodDeletionAbandoned e) {
      return model(type, s, e, null).withPod(e.podName()).withReason(e.reason());
    }
    throw new IllegalArgumentException("no stream picture for " + type);
  }

  private static LifecycleEvent model(String type, ServiceId s, ServiceEvent e, ServiceView.Phase phase) {
    return LifecycleEvent.ofModel(type, s.simulationId(), s.modelId(), e.at(), phase == null ? null : phase.name());
  }
}
