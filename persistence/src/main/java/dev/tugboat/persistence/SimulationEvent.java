package dev.tugboat.persistence;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import java.time.Instant;
import java.util.List;

/**
 * Journal events of a {@link SimulationEntity}: a public, versioned contract (add fields, never
 * reuse them). Events that queue a notification carry its outbox id, so replay rebuilds the
 * outbox exactly.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SimulationEvent.SimulationDeployed.class, name = "SimulationDeployed"),
    @JsonSubTypes.Type(value = SimulationEvent.DeploymentRejected.class, name = "DeploymentRejected"),
    @JsonSubTypes.Type(value = SimulationEvent.ServiceCreateAcknowledged.class, name = "ServiceCreateAcknowledged"),
    @JsonSubTypes.Type(value = SimulationEvent.ModelReady.class, name = "ModelReady"),
    @JsonSubTypes.Type(value = SimulationEvent.ModelsReadyQueued.class, name = "ModelsReadyQueued"),
    @JsonSubTypes.Type(value = SimulationEvent.ModelTerminated.class, name = "ModelTerminated"),
    @JsonSubTypes.Type(value = SimulationEvent.AllModelsHaveTerminatedQueued.class,
        name = "AllModelsHaveTerminatedQueued"),
    @JsonSubTypes.Type(value = SimulationEvent.NotificationDelivered.class, name = "NotificationDelivered"),
    @JsonSubTypes.Type(value = SimulationEvent.NotificationAbandoned.class, name = "NotificationAbandoned"),
    @JsonSubTypes.Type(value = SimulationEvent.TerminationRequested.class, name = "TerminationRequested")
})
public sealed interface SimulationEvent extends CborSerializable {

  String simulationId();

  Instant at();

  /** A valid DeployModels was accepted: one service per model. */
  record SimulationDeployed(
      String simulationId, String simulatorId, double keepLogsHours, List<ServiceSpec> services, Instant at)
      implements SimulationEvent {
    public SimulationDeployed {
      services = List.copyOf(services);
    }
  }

  /**
   * An invalid DeployModels was refused. Replaying it queues ModelHasTerminated(FAILED,
   * INVALID_CONFIGURATION) for each of {@code modelIds} (outbox ids 1..n, in this order) and then
   * AllModelsHaveTerminated (id n+1), so the SO is never left waiting.
   */
  record DeploymentRejected(
      String simulationId, String simulatorId, String reason, List<String> modelIds, Instant at)
      implements SimulationEvent {
    public DeploymentRejected {
      modelIds = List.copyOf(modelIds);
    }
  }

  /** The model's Service entity accepted its Create; it is not sent again. */
  record ServiceCreateAcknowledged(String simulationId, String modelId, Instant at) implements SimulationEvent {}

  /** The model published ReadyForProcessing. */
  record ModelReady(String simulationId, String modelId, Instant at) implements SimulationEvent {}

  /** Every model is ready: ModelsReady is queued under {@code outboxId}. */
  record ModelsReadyQueued(String simulationId, long outboxId, Instant at) implements SimulationEvent {}

  /** The model ended (or never ran): ModelHasTerminated is queued under {@code outboxId}. */
  record ModelTerminated(
      String simulationId, String modelId, TerminationStatus status, int exitCode, String reason, long outboxId,
      Instant at) implements SimulationEvent {}

  /** Every model ended: AllModelsHaveTerminated is queued under {@code outboxId}; the simulation is over. */
  record AllModelsHaveTerminatedQueued(String simulationId, long outboxId, Instant at) implements SimulationEvent {}

  /** The broker acknowledged the outbox entry {@code outboxId}; it leaves the outbox. */
  record NotificationDelivered(String simulationId, long outboxId, Instant at) implements SimulationEvent {}

  /**
   * The notifier refused the outbox entry {@code outboxId} as one that can never be published
   * ({@code reason}); it leaves the outbox without being delivered and is kept among the abandoned
   * ones. Untagged: the projection derives its entries from the events that queue them.
   */
  record NotificationAbandoned(String simulationId, long outboxId, String reason, Instant at)
      implements SimulationEvent {}

  /**
   * An operator terminated the simulation ({@code who}, {@code reason}): every model that has not
   * ended is stopped and reported FAILED; no more Creates are sent. Untagged: it queues no
   * notification, and the ModelTerminated events that follow carry what the SO is told.
   */
  record TerminationRequested(String simulationId, String reason, String who, Instant at)
      implements SimulationEvent {}
}
