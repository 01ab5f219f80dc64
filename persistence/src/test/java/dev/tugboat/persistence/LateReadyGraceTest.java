package dev.tugboat.persistence;

import static dev.tugboat.persistence.SimulationParts.deployed;
import static dev.tugboat.persistence.SimulationParts.ended;
import static dev.tugboat.persistence.SimulationParts.ready;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationState.Active;
import dev.tugboat.persistence.SimulationState.Deployment;
import dev.tugboat.protocol.ExitCodes;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LateReadyGraceTest {
  private static final LateReadyGrace GRACE = new LateReadyGrace(Duration.ofSeconds(5));

  private static Deployment deployment(SimulationState state) {
    return ((Active) state).deployment();
  }

  @Test
  void theEndIsHeldWhileEveryModelNotReadyMayStillReport() {
    SimulationState s = ended(ended(ready(deployed(2), "m0"), "m0", 0), "m1", 2);
    assertTrue(GRACE.holdsEnd(deployment(s)), "m1 had a pod: its ReadyForProcessing may be on its way");
    assertTrue(LateReadyGrace.waiting(deployment(s)));
  }

  @Test
  void theEndIsNotHeldWithoutGraceOrOnceModelsReadyIsQueued() {
    SimulationState s = ended(ended(deployed(2), "m0", 0), "m1", 0);
    assertFalse(new LateReadyGrace(Duration.ZERO).holdsEnd(deployment(s)), "late-ready-grace 0: never held");
    SimulationState allReady = ended(ended(SimulationState.apply(ready(ready(deployed(2), "m0"), "m1"),
        new ModelsReadyQueued(SimulationParts.SIM, 1, Instant.EPOCH)), "m0", 0), "m1", 0);
    assertFalse(GRACE.holdsEnd(deployment(allReady)), "ModelsReady went out already");
  }

  @Test
  void theEndIsNotHeldWhenAModelThatNeverReportedReadyNeverHadAPod() {
    SimulationState s = ended(ended(deployed(2), "m0", 0), "m1", ExitCodes.POD_NOT_CREATED);
    assertFalse(GRACE.holdsEnd(deployment(s)), "m1 can never be ready: ModelsReady is never owed");
    SimulationState readyThenRefused = ended(ended(ready(deployed(2), "m1"), "m0", 0), "m1",
        ExitCodes.POD_NOT_CREATED);
    assertTrue(GRACE.holdsEnd(deployment(readyThenRefused)), "only models not ready count");
  }

  @Test
  void theEndIsNotHeldWhenAModelThatNeverReportedReadyNeverPulledItsImage() {
    SimulationState s = ended(ended(deployed(2), "m0", 0), "m1", ExitCodes.IMAGE_NOT_PULLED);
    assertFalse(GRACE.holdsEnd(deployment(s)), "m1's container never ran: ModelsReady is never owed");
  }

  @Test
  void waitingEndsWhenAllModelsHaveTerminatedIsQueued() {
    Active running = (Active) ended(deployed(2), "m0", 0);
    assertFalse(LateReadyGrace.waiting(running.deployment()), "m1 still runs");
    Active allEnded = (Active) ended(running, "m1", 0);
    assertTrue(LateReadyGrace.waiting(allEnded.deployment()));
    SimulationState queued = SimulationState.apply(allEnded,
        new AllModelsHaveTerminatedQueued(SimulationParts.SIM, allEnded.outbox().nextId(), Instant.EPOCH));
    assertFalse(queued instanceof Active, "the simulation has ended");
  }

  @Test
  void theTimerOfAWaitStartsOnceUntilItIsOver() {
    LateReadyGrace grace = new LateReadyGrace(Duration.ofSeconds(5));
    assertTrue(grace.start());
    assertFalse(grace.start(), "a wait is under way");
    grace.over();
    assertTrue(grace.start(), "a later wait starts its own timer");
  }
}
