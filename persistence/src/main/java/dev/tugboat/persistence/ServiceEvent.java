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
    @JsonSubTypes.Type(value = ServiceEvent.PodDeletionAbandoned.class, name = "PodDeletionAbandoned")
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

  /** The pod could not be created; reported as FAILED with {@code exitCode}. */
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
}
