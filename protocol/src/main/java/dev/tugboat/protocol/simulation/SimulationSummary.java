package dev.tugboat.protocol.simulation;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * One row of the simulation list: a simulation's phase and how many of its models are in each
 * {@link ModelPhase} (every phase present, zero included), read from the journal's read model
 * rather than from the entity. {@code endedAt} is null until the simulation ended or was rejected.
 */
public record SimulationSummary(
    String simulationId, String simulatorId, SimulationView.Phase phase, Map<ModelPhase, Integer> models,
    Instant deployedAt, Instant endedAt) {

  public SimulationSummary {
    EnumMap<ModelPhase, Integer> all = new EnumMap<>(ModelPhase.class);
    for (ModelPhase p : ModelPhase.values()) {
      all.put(p, models == null ? 0 : models.getOrDefault(p, 0));
    }
    models = java.util.Collections.unmodifiableMap(all);
  }
}
