package dev.tugboat.protocol.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Objects;

/**
 * One simulation or service lifecycle event as the event stream ({@code GET /api/v1/events})
 * carries it in an SSE {@code data} line: a stable, documented JSON shape (docs/http-api.md,
 * "Event stream"). Fields that do not apply to the event's type are left out.
 *
 * @param type the journal event's name (SimulationDeployed, PodRunning, ModelTerminated, ...)
 * @param simulationId the simulation the event belongs to
 * @param modelId the model, when the event is about one model (null otherwise)
 * @param at when the entity decided the event (just before it was journaled)
 * @param phase the phase the event puts its subject in: the simulation's for simulation events, the
 *     model's (as its simulation sees it) for the simulation's model events, the service's for
 *     service events; null for events that change no phase
 * @param status SUCCEEDED or FAILED, on a model's end
 * @param exitCode the container's exit code (or Tugboat's, docs/protocol.md), on a model's end
 * @param reason why, on an end, a rejection, a hold or an abandoned notification or deletion
 * @param podName the model's pod, on service events that name it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LifecycleEvent(
    String type, String simulationId, String modelId, Instant at, String phase, String status, Integer exitCode,
    String reason, String podName) {

  public LifecycleEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(simulationId, "simulationId");
    Objects.requireNonNull(at, "at");
  }

  /** An event about the simulation as a whole. */
  public static LifecycleEvent ofSimulation(String type, String simulationId, Instant at, String phase) {
    return new LifecycleEvent(type, simulationId, null, at, phase, null, null, null, null);
  }

  /** An event about one model. */
  public static LifecycleEvent ofModel(String type, String simulationId, String modelId, Instant at, String phase) {
    return new LifecycleEvent(type, simulationId, modelId, at, phase, null, null, null, null);
  }

  public LifecycleEvent withEnd(String status, int exitCode) {
    return new LifecycleEvent(type, simulationId, modelId, at, phase, status, exitCode, reason, podName);
  }

  public LifecycleEvent withReason(String reason) {
    return new LifecycleEvent(type, simulationId, modelId, at, phase, status, exitCode, reason, podName);
  }

  public LifecycleEvent withPod(String podName) {
    return new LifecycleEvent(type, simulationId, modelId, at, phase, status, exitCode, reason, podName);
  }
}
