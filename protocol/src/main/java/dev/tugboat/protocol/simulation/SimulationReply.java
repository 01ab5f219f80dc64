package dev.tugboat.protocol.simulation;

import dev.tugboat.protocol.CborSerializable;

/** Reply to {@link SimulationCommand.Get}. */
public sealed interface SimulationReply extends CborSerializable {

  record Found(SimulationView simulation) implements SimulationReply {}

  record NotFound(String simulationId) implements SimulationReply {}
}
