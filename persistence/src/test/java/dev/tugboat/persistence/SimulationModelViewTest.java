package dev.tugboat.persistence;

import static dev.tugboat.persistence.SimulationParts.SIM;
import static dev.tugboat.persistence.SimulationParts.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.NotificationDelivered;
import dev.tugboat.persistence.SimulationEvent.ServiceCreateAcknowledged;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.simulation.ModelPhase;
import dev.tugboat.protocol.simulation.SimulationView;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The simulation view's row per model: its phase from what was journaled about it and the time of
 * each step (the first one journaled); and which events carry the read model's tag.
 */
class SimulationModelViewTest {

  @Test
  void eachModelShowsItsPhaseAndTheTimeOfEachStep() {
    SimulationState state = SimulationParts.applyAll(SimulationParts.deployed(3), List.of(
        new ServiceCreateAcknowledged(SIM, "m0", T0.plusSeconds(1)),
        new ServiceCreateAcknowledged(SIM, "m1", T0.plusSeconds(1)),
        new ModelReady(SIM, "m0", T0.plusSeconds(2)),
        new ModelReady(SIM, "m0", T0.plusSeconds(9)),
        new ModelTerminated(SIM, "m0", TerminationStatus.FAILED, 2, "Error", 1, T0.plusSeconds(3))));

    List<SimulationView.Model> models = SimulationState.view(state).orElseThrow().models();

    SimulationView.Model ended = models.get(0);
    assertEquals(ModelPhase.FAILED, ended.phase());
    assertEquals(T0.plusSeconds(1), ended.acceptedAt());
    assertEquals(T0.plusSeconds(2), ended.readyAt(), "the first ready report counts");
    assertEquals(T0.plusSeconds(3), ended.endedAt());
    assertEquals(2, ended.exitCode());
    SimulationView.Model starting = models.get(1);
    assertEquals(ModelPhase.STARTING, starting.phase());
    assertEquals(T0.plusSeconds(1), starting.acceptedAt());
    assertNull(starting.readyAt());
    SimulationView.Model requested = models.get(2);
    assertEquals(ModelPhase.REQUESTED, requested.phase());
    assertNull(requested.acceptedAt());
    assertNull(requested.endedAt());
  }

  @Test
  void aRejectedDeploymentShowsEveryModelFailedAtTheRejection() {
    SimulationState rejected = SimulationState.apply(new SimulationState.Empty(SIM),
        new SimulationEvent.DeploymentRejected(SIM, "so", "bad", List.of("a", "b"), T0));

    List<SimulationView.Model> models = SimulationState.view(rejected).orElseThrow().models();

    assertEquals(2, models.size());
    assertTrue(models.stream().allMatch(m -> m.phase() == ModelPhase.FAILED && T0.equals(m.endedAt())));
  }

  @ParameterizedTest
  @CsvSource({
      "false, false, , REQUESTED",
      "true, false, , STARTING",
      "false, true, , READY",
      "true, true, , READY",
      "true, true, SUCCEEDED, SUCCEEDED",
      "false, false, FAILED, FAILED",
      "true, true, FAILED, FAILED"})
  void phaseOfAModel(boolean accepted, boolean ready, TerminationStatus ended, ModelPhase phase) {
    assertEquals(phase, ModelPhase.of(accepted, ready, ended));
  }

  @Test
  void everyLifecycleEventCarriesTheReadModelsTagInTheNotificationSlice() {
    NotificationTags slices = new NotificationTags(4);
    assertEquals("simulation-summary-" + slices.sliceOf("sim-x"), SimulationSummaryProjection.tagFor(slices, "sim-x"));
    assertEquals(List.of("simulation-summary-0", "simulation-summary-1", "simulation-summary-2",
        "simulation-summary-3"), SimulationSummaryProjection.tags(slices));
    assertTrue(SimulationSummaryProjection.summarizes(new ServiceCreateAcknowledged(SIM, "m0", T0)));
    assertTrue(SimulationSummaryProjection.summarizes(new ModelReady(SIM, "m0", T0)));
    assertTrue(SimulationSummaryProjection.summarizes(
        new SimulationEvent.AllModelsHaveTerminatedQueued(SIM, 3, T0)));
    assertFalse(SimulationSummaryProjection.summarizes(new NotificationDelivered(SIM, 1, T0)));
    assertFalse(SimulationSummaryProjection.summarizes(new SimulationEvent.NotificationAbandoned(SIM, 1, "x", T0)));
  }
}
