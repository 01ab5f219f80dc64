package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.SimulationDeployed;
import dev.tugboat.persistence.SimulationState.Active;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

/** Simulation states for the unit tests of the entity's parts, built through the event handler. */
final class SimulationParts {
  static final String SIM = "sim";
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private SimulationParts() {}

  /** A simulation of models m0 .. m(n-1), just deployed. */
  static Active deployed(int n) {
    List<ServiceSpec> specs = IntStream.range(0, n)
        .mapToObj(i -> ServiceSpec.of("so", SIM, new ModelSpec("m" + i, "registry/model:1", List.of()), 1.0))
        .toList();
    return (Active) SimulationState.apply(new SimulationState.Empty(SIM),
        new SimulationDeployed(SIM, "so", 1.0, specs, T0));
  }

  static SimulationState ready(SimulationState state, String modelId) {
    return SimulationState.apply(state, new ModelReady(SIM, modelId, T0));
  }

  /** The model ended with {@code exitCode}; its ModelHasTerminated takes the outbox's next id. */
  static SimulationState ended(SimulationState state, String modelId, int exitCode) {
    long id = SimulationState.outboxOf(state).nextId();
    return SimulationState.apply(state, new ModelTerminated(SIM, modelId,
        exitCode == 0 ? TerminationStatus.SUCCEEDED : TerminationStatus.FAILED, exitCode, "x", id, T0));
  }

  static SimulationState applyAll(SimulationState state, List<SimulationEvent> events) {
    for (SimulationEvent e : events) {
      state = SimulationState.apply(state, e);
    }
    return state;
  }
}
