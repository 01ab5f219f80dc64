package dev.tugboat.protocol.simulation;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.TerminationStatus;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Commands of the Simulation entity (one per simulation id). Every command is idempotent: a
 * redelivered MQTT message or a re-sent report changes nothing the second time.
 */
public sealed interface SimulationCommand {

  /** DeployModels from the SO. Replies Accepted once the simulation is persisted, or Rejected. */
  record Deploy(String simulatorId, List<ModelSpec> models, double keepLogsHours, ActorRef<CommandReply> replyTo)
      implements SimulationCommand, CborSerializable {
    public Deploy {
      models = models == null ? List.of() : List.copyOf(models);
    }
  }

  /**
   * A DeployModels that broke a limit before it could be read (too large, fields of the wrong
   * type, too many models). Replies Rejected; for a new simulation id it is journaled as a
   * rejection with no models, so the SO gets its AllModelsHaveTerminated.
   */
  record RefuseDeploy(String simulatorId, String reason, ActorRef<CommandReply> replyTo)
      implements SimulationCommand, CborSerializable {}

  /** ReadyForProcessing from a model. Rejected for an unknown simulation or model. */
  record ReportModelReady(String modelId, ActorRef<CommandReply> replyTo)
      implements SimulationCommand, CborSerializable {}

  /** A Service entity reports that its model ended (or could never start). Re-sent until accepted. */
  record ReportServiceTerminated(
      String modelId, TerminationStatus status, int exitCode, String reason, ActorRef<CommandReply> replyTo)
      implements SimulationCommand, CborSerializable {}

  /**
   * An operator ends the simulation (HTTP DELETE): every model that has not ended is stopped, its
   * pod deleted and reported FAILED with {@code ExitCodes.TERMINATED}; then AllModelsHaveTerminated.
   * Replies Accepted once the request is persisted (again Accepted while it is under way),
   * Duplicate when the simulation has ended already, Rejected for an unknown simulation.
   * {@code who} names the operator for the journal and the log.
   */
  record Terminate(String reason, String who, ActorRef<CommandReply> replyTo)
      implements SimulationCommand, CborSerializable {}

  /** The current state, for HTTP. Replies Found or NotFound; never creates a simulation. */
  record Get(ActorRef<SimulationReply> replyTo) implements SimulationCommand, CborSerializable {}

  /** Messages the Simulation entity sends itself (ticks, async results); declared with the entity. */
  non-sealed interface Private extends SimulationCommand {}
}
