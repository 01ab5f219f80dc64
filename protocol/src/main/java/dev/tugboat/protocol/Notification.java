package dev.tugboat.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One lifecycle message Tugboat owes the SO. Persisted in the simulation's outbox until the
 * broker acknowledged it, so a crash between persisting and publishing loses nothing.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Notification.ModelsReady.class, name = "ModelsReady"),
    @JsonSubTypes.Type(value = Notification.ModelHasTerminated.class, name = "ModelHasTerminated"),
    @JsonSubTypes.Type(value = Notification.AllModelsHaveTerminated.class, name = "AllModelsHaveTerminated")
})
public sealed interface Notification extends CborSerializable {

  String simulationId();

  /** Every model of the simulation reported ReadyForProcessing. */
  record ModelsReady(String simulationId) implements Notification {}

  /** One model's container ended (or could never run). */
  record ModelHasTerminated(String simulationId, String modelId, TerminationStatus status, int exitCode)
      implements Notification {}

  /** Every model of the simulation has ended. */
  record AllModelsHaveTerminated(String simulationId) implements Notification {}
}
