package dev.tugboat.protocol.simulation;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.TerminationStatus;
import java.time.Instant;
import java.util.List;

/**
 * A read-only picture of one simulation, as served over HTTP. {@code pendingNotifications} counts
 * the notifications still owed to the SO; {@code abandonedNotifications} lists those given up
 * because they can never be published (never null).
 */
public record SimulationView(
    String simulationId,
    String simulatorId,
    Phase phase,
    String reason,
    double keepLogsHours,
    Instant deployedAt,
    List<Model> models,
    boolean modelsReadySent,
    boolean allModelsHaveTerminatedSent,
    int pendingNotifications,
    List<AbandonedNotification> abandonedNotifications) implements CborSerializable {

  public SimulationView {
    abandonedNotifications = abandonedNotifications == null ? List.of() : List.copyOf(abandonedNotifications);
  }

  /** The simulation's lifecycle phase. */
  public enum Phase {
    /** Services are being created or have not all reported ReadyForProcessing. */
    DEPLOYING,
    /** Every model reported ReadyForProcessing (ModelsReady is owed or sent). */
    READY,
    /** Every model has ended (AllModelsHaveTerminated is owed or sent). */
    ENDED,
    /** The DeployModels request was invalid; every named model was reported FAILED. */
    REJECTED
  }

  /**
   * One model as the simulation sees it: its phase, its end (status, exit code, reason; null while
   * it runs) and when its service accepted the Create, when it reported ready and when it ended
   * (each null until then, and for a simulation journaled before these times were kept).
   */
  public record Model(
      String modelId, String podName, ModelPhase phase, boolean ready, boolean terminated, TerminationStatus status,
      Integer exitCode, String reason, Instant acceptedAt, Instant readyAt, Instant endedAt)
      implements CborSerializable {}

  /**
   * A notification the simulation gave up: the MQTT bridge refused it as one that can never be
   * published. {@code kind} is its DOTS name; {@code modelId} is set for ModelHasTerminated.
   */
  public record AbandonedNotification(long outboxId, String kind, String modelId, String reason, Instant at)
      implements CborSerializable {}
}
