package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationEvent.DeploymentRejected;
import dev.tugboat.persistence.SimulationEvent.SimulationDeployed;
import dev.tugboat.persistence.SimulationState.Deployment;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.DeployValidator;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.SealedValueException;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.simulation.SimulationCommand.Deploy;
import dev.tugboat.protocol.simulation.SimulationCommand.RefuseDeploy;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * What a DeployModels turns into. For a new simulation: the event to journal (SimulationDeployed,
 * its secret values sealed first, or DeploymentRejected with the valid model ids) and the reply,
 * or nothing journaled at all when the simulation id itself cannot be journaled. For a deployed
 * one: whether a re-sent Deploy is the same deployment. Holds no state; logs what it decides.
 */
final class DeployIntake {

  /** The event to journal (none: nothing is, and the entity passivates) and the reply owed once it is. */
  record Decision(Optional<SimulationEvent> event, CommandReply reply) {}

  private final String simulationId;
  private final DeployLimits limits;
  private final Sealer sealer;
  private final Logger log;

  DeployIntake(String simulationId, DeployLimits limits, Sealer sealer, Logger log) {
    this.simulationId = simulationId;
    this.limits = limits;
    this.sealer = sealer;
    this.log = log;
  }

  /** A Deploy for a simulation that has journaled nothing yet. */
  Decision deploy(Deploy cmd, Instant now) {
    Optional<Decision> badId = badId();
    if (badId.isPresent()) {
      return badId.get();
    }
    DeployValidator.Validation v =
        DeployValidator.validate(simulationId, cmd.simulatorId(), cmd.models(), cmd.keepLogsHours(), limits);
    if (v.problem().isPresent()) {
      String reason = v.problem().get();
      log.warn("simulation {}: DeployModels rejected: {}; reporting {} model(s) as FAILED",
          simulationId, reason, v.validModelIds().size());
      return new Decision(Optional.of(new DeploymentRejected(simulationId, cmd.simulatorId(), reason,
          v.validModelIds(), now)), new CommandReply.Rejected(reason));
    }
    log.info("simulation {}: deployed {} model(s) of simulator {}", simulationId, v.services().size(),
        cmd.simulatorId());
    return new Decision(Optional.of(new SimulationDeployed(simulationId, cmd.simulatorId(), cmd.keepLogsHours(),
        v.services().stream().map(sealer::seal).toList(), now)), CommandReply.accepted());
  }

  /** A DeployModels the MQTT bridge refused before it could be read, for a simulation that has journaled nothing. */
  Decision refuse(RefuseDeploy cmd, Instant now) {
    Optional<Decision> badId = badId();
    if (badId.isPresent()) {
      return badId.get();
    }
    String simulatorId = Ids.isValid(cmd.simulatorId()) ? cmd.simulatorId() : "";
    log.warn("simulation {}: DeployModels rejected before it was read: {}", simulationId, cmd.reason());
    return new Decision(Optional.of(new DeploymentRejected(simulationId, simulatorId, cmd.reason(), List.of(), now)),
        new CommandReply.Rejected(cmd.reason()));
  }

  /** A simulation id that can be neither journaled nor logged as is: nothing is persisted. */
  private Optional<Decision> badId() {
    return Ids.problem("simulationId", simulationId).map(problem -> {
      log.warn("simulation {}: DeployModels refused, not persisted: {}", Ids.printable(simulationId), problem);
      return new Decision(Optional.empty(), new CommandReply.Rejected(problem));
    });
  }

  /** A DeployModels the MQTT bridge refused, for a simulation that exists already: nothing changes. */
  CommandReply refuseExisting(RefuseDeploy cmd) {
    log.warn("simulation {}: a DeployModels for this existing simulation was refused: {}", simulationId, cmd.reason());
    return new CommandReply.Rejected("simulation already exists; this DeployModels was refused: " + cmd.reason());
  }

  /**
   * A Deploy for the simulation deployed as {@code d}: Duplicate when it is the same deployment
   * (nothing changes), Conflict when it differs. Either way one WARN line naming the simulation.
   */
  CommandReply redeploy(Deployment d, Deploy cmd) {
    boolean same;
    try {
      same = d.simulatorId().equals(cmd.simulatorId())
          && Double.compare(d.keepLogsHours(), cmd.keepLogsHours()) == 0
          && sameServices(d.services(), cmd.models().stream()
              .map(m -> ServiceSpec.of(cmd.simulatorId(), simulationId, m, cmd.keepLogsHours())).toList());
    } catch (SealedValueException e) {
      log.error("simulation {}: a re-sent DeployModels cannot be compared with the deployed one: {}",
          simulationId, e.getMessage());
      return new CommandReply.Conflict("simulation already deployed; " + e.getMessage());
    }
    if (same) {
      log.warn("simulation {}: a repeated DeployModels for this deployed simulation was ignored (same content)",
          simulationId);
      return new CommandReply.Duplicate("already deployed");
    }
    log.warn("simulation {}: a different DeployModels for an existing simulation was rejected", simulationId);
    return new CommandReply.Conflict("simulation already deployed with different content");
  }

  /**
   * The journaled services against those of a re-sent Deploy: sealed values are compared by what
   * they open to (every sealing of a value differs, and a different password is a different
   * deployment).
   */
  private boolean sameServices(List<ServiceSpec> journaled, List<ServiceSpec> sent) {
    if (journaled.size() != sent.size()) {
      return false;
    }
    for (int i = 0; i < journaled.size(); i++) {
      if (!sealer.sameAs(journaled.get(i), sent.get(i))) {
        return false;
      }
    }
    return true;
  }
}
