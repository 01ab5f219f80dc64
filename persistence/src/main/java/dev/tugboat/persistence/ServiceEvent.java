package dev.tugboat.persistence;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import java.time.Instant;
import java.util.List;

/** Journal events of a {@link ServiceEntity}: a public, versioned contract (add fields, never reuse them). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ServiceEvent.ServiceRequested.class, name = "ServiceRequested"),
    @JsonSubTypes.Type(value = ServiceEvent.PodCreationStarted.class, name = "PodCreationStarted"),
    @JsonSubTypes.Type(value = ServiceEvent.PodCreated.class, name = "PodCreated"),
    @JsonSubTypes.Type(value = ServiceEvent.PodRunning.class, name = "PodRunning"),
    @JsonSubTypes.Type(value = ServiceEvent.ServiceTerminated.class, name = "ServiceTerminated"),
    @JsonSubTypes.Type(value = ServiceEvent.ServiceFailed.class, name = "ServiceFailed"),
    @JsonSubTypes.Type(value = ServiceEvent.SimulationNotified.class, name = "SimulationNotified"),
    @JsonSubTypes.Type(value = ServiceEvent.PodDeleted.class, name = "PodDeleted"),
    @JsonSubTypes.Type(value = ServiceEvent.PodDeletionAbandoned.class, name = "PodDeletionAbandoned"),
    @JsonSubTypes.Type(value = ServiceEvent.CreationQueued.class, name = "CreationQueued"),
    @JsonSubTypes.Type(value = ServiceEvent.ServiceHeld.class, name = "ServiceHeld"),
    @JsonSubTypes.Type(value = ServiceEvent.HoldReleased.class, name = "HoldReleased")
})
public sealed interface ServiceEvent extends CborSerializable {

  ServiceId serviceId();

  Instant at();

  /** The simulation asked for this model to run. */
  record ServiceRequested(ServiceId serviceId, ServiceSpec spec, Instant at) implements ServiceEvent {}

  /** CreatePod was handed to the gateway. */
  record PodCreationStarted(ServiceId serviceId, String podName, Instant at) implements ServiceEvent {}

  /** The pod exists in the API server. */
  record PodCreated(ServiceId serviceId, String podName, Instant at) implements ServiceEvent {}

  /** The model container is running. */
  record PodRunning(ServiceId serviceId, String podName, Instant at) implements ServiceEvent {}

  /** The model container ended (or the pod was lost); the pod is deleted at {@code deleteAt}. */
  record ServiceTerminated(
      ServiceId serviceId, String podName, TerminationStatus status, int exitCode, String reason,
      List<String> lastLogLines, Instant deleteAt, Instant at) implements ServiceEvent {
    public ServiceTerminated {
      lastLogLines = lastLogLines == null ? List.of() : List.copyOf(lastLogLines);
    }
  }

  /**
   * The model never ran: its pod could not be created (125), or its container's image could not be
   * pulled (200, the pod exists); reported as FAILED with {@code exitCode}.
   */
  record ServiceFailed(ServiceId serviceId, String podName, String reason, int exitCode, Instant deleteAt, Instant at)
      implements ServiceEvent {}

  /** The simulation answered the termination report (accepted, or rejected with {@code detail}). */
  record SimulationNotified(ServiceId serviceId, boolean accepted, String detail, Instant at)
      implements ServiceEvent {}

  /** The pod was deleted after its retention time. */
  record PodDeleted(ServiceId serviceId, String podName, Instant at) implements ServiceEvent {}

  /** Deleting the pod failed delete-max-attempts times; the pod may still exist. */
  record PodDeletionAbandoned(ServiceId serviceId, String podName, String reason, Instant at)
      implements ServiceEvent {}

  /**
   * The gateway queued the CreatePod for admission (pod cap or quota reached) at 1-based
   * {@code position}; journaled once per wait, not on every repeated notice.
   */
  record CreationQueued(ServiceId serviceId, String podName, int position, String reason, Instant at)
      implements ServiceEvent {}

  /**
   * Creating the pod ran out of its bounded retries and hold-on-failure is on: the service waits
   * for an operator's Retry or Abandon; nothing is reported to the simulation yet.
   */
  record ServiceHeld(ServiceId serviceId, String podName, String reason, Instant at) implements ServiceEvent {}

  /** An operator's Retry released a held service: creation starts again with a fresh attempt budget. */
  record HoldReleased(ServiceId serviceId, String podName, Instant at) implements ServiceEvent {}
}
