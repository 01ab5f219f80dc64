package dev.tugboat.persistence;

import static dev.tugboat.persistence.SimulationParts.deployed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.SimulationExit.Round;
import dev.tugboat.persistence.SimulationExit.Step;
import dev.tugboat.persistence.SimulationState.Model;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationExitTest {
  private static final Instant ENDED = Instant.parse("2025-01-01T00:00:00Z");
  private static final Instant RETENTION_OVER = ENDED.plusSeconds(3600);
  private static final Instant AFTER = RETENTION_OVER.plusSeconds(1);

  private static List<String> ids(List<Model> models) {
    return models.stream().map(m -> m.spec().modelId()).toList();
  }

  @Test
  void theShardIsAskedToPassivateOnce() {
    SimulationExit exit = new SimulationExit();
    assertTrue(exit.passivate());
    assertFalse(exit.passivate());
  }

  @Test
  void beforeTheRetentionIsOverTheSimulationOnlyPassivates() {
    SimulationExit exit = new SimulationExit();
    assertEquals(Step.PASSIVATE, exit.next(ENDED, RETENTION_OVER));
    assertEquals(Step.PASSIVATE, exit.next(ENDED.plusSeconds(60), RETENTION_OVER));
    assertEquals(Step.REMOVE_SERVICES, exit.next(AFTER, RETENTION_OVER));
    assertEquals(Step.NOTHING, exit.next(AFTER, RETENTION_OVER), "a round under way is driven by its answers");
  }

  @Test
  void aRoundAsksAWindowAtATimeAndThenTheRowsGo() {
    ModelTable models = deployed(3).deployment().models();
    SimulationExit exit = new SimulationExit();
    exit.next(AFTER, RETENTION_OVER);
    assertEquals(List.of("m0", "m1"), ids(exit.toAsk(models, 2)));
    assertEquals(Round.UNDER_WAY, exit.progress(3));
    assertTrue(exit.awaits("m0"));
    assertFalse(exit.awaits("m2"), "not asked yet");
    exit.answered("m0", true);
    assertEquals(List.of("m2"), ids(exit.toAsk(models, 2)));
    exit.answered("m1", true);
    exit.answered("m2", true);
    assertEquals(List.of(), ids(exit.toAsk(models, 2)));
    assertEquals(Round.SERVICES_REMOVED, exit.progress(3));
    assertEquals(Step.NOTHING, exit.next(AFTER, RETENTION_OVER), "the rows' removal is under way");
    exit.rowsRemoved(true);
    assertTrue(exit.removed());
    assertEquals(Step.NOTHING, exit.next(AFTER.plusSeconds(60), RETENTION_OVER), "nothing is left to remove");
  }

  @Test
  void aServiceThatKeepsItsPodEndsTheRoundAndALaterOneStartsOver() {
    ModelTable models = deployed(2).deployment().models();
    SimulationExit exit = new SimulationExit();
    exit.next(AFTER, RETENTION_OVER);
    exit.toAsk(models, 10);
    exit.answered("m0", false);
    exit.answered("m1", true);
    assertEquals(Round.KEPT, exit.progress(2));
    assertFalse(exit.awaits("m0"));
    assertEquals(Step.REMOVE_SERVICES, exit.next(AFTER.plusSeconds(60), RETENTION_OVER));
    assertEquals(List.of("m0", "m1"), ids(exit.toAsk(models, 10)), "a new round asks every service again");
  }

  @Test
  void aRejectedSimulationHasNoServicesToAskAndAFailedRemovalIsTriedAgain() {
    SimulationExit exit = new SimulationExit();
    ModelTable none = ModelTable.of(List.of());
    assertEquals(Step.REMOVE_SERVICES, exit.next(AFTER, RETENTION_OVER));
    assertEquals(List.of(), exit.toAsk(none, 10));
    assertEquals(Round.SERVICES_REMOVED, exit.progress(0));
    exit.rowsRemoved(false);
    assertFalse(exit.removed());
    assertEquals(Step.REMOVE_SERVICES, exit.next(AFTER, RETENTION_OVER), "the next sweep tries again");
  }
}
