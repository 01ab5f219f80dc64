package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.SimulationState.Model;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CreateWindowTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private static Model model(int i, boolean acknowledged, boolean ended) {
    ServiceSpec spec = ServiceSpec.of("so", "sim", new ModelSpec("m" + i, "img:1", List.of()), 1.0);
    return new Model(spec, acknowledged, false,
        ended ? new SimulationState.Termination(TerminationStatus.FAILED, 1, "x") : null);
  }

  private static ModelTable table(int n) {
    return ModelTable.of(IntStream.range(0, n).mapToObj(i -> model(i, false, false)).toList());
  }

  private static List<String> ids(List<Model> models) {
    return models.stream().map(m -> m.spec().modelId()).toList();
  }

  @Test
  void asksAtMostAWindowAndRefillsAsAnswersComeIn() {
    CreateWindow w = new CreateWindow();
    ModelTable models = table(5);
    assertEquals(List.of("m0", "m1"), ids(w.next(models, 2, T0)));
    assertTrue(w.next(models, 2, T0).isEmpty(), "the window is full");
    assertFalse(w.canAskMore(5, 2));
    w.answered("m0");
    assertTrue(w.canAskMore(5, 2));
    assertEquals(List.of("m2"), ids(w.next(models, 2, T0)), "the scan resumes where it stopped");
  }

  @Test
  void aRescanAsksAgainWhatIsStillOwedAndNothingInFlightTwice() {
    CreateWindow w = new CreateWindow();
    ModelTable models = ModelTable.of(List.of(model(0, false, false), model(1, true, false), model(2, false, true),
        model(3, false, false)));
    assertEquals(List.of("m0", "m3"), ids(w.next(models, 10, T0)), "acknowledged and ended models are not asked");
    w.answered("m3");
    w.rescan();
    assertEquals(List.of("m3"), ids(w.next(models, 10, T0.plusSeconds(5))), "m0 is still in flight");
  }

  @Test
  void theDeadlineCountsFromTheFirstAskUntilSettled() {
    CreateWindow w = new CreateWindow();
    ModelTable models = table(1);
    w.next(models, 1, T0);
    w.answered("m0");
    w.rescan();
    w.next(models, 1, T0.plusSeconds(60));
    assertEquals(T0, w.firstAsked("m0").orElseThrow(), "a re-send keeps the first ask");
    assertTrue(w.anyAskedBefore(T0.plusSeconds(1)));
    w.settled("m0");
    assertFalse(w.anyAskedBefore(T0.plusSeconds(1)));
    assertTrue(w.firstAsked("m0").isEmpty());
  }

  @Test
  void overdueAreTheModelsStillOwedACreateFirstAskedBeforeTheDeadline() {
    CreateWindow w = new CreateWindow();
    ModelTable models = table(3);
    w.next(models, 2, T0);
    w.next(models, 3, T0.plusSeconds(100));
    assertEquals(List.of("m0", "m1"), ids(w.overdue(models, T0.plusSeconds(50))), "m2 was first asked later");
    w.settled("m1");
    assertEquals(List.of("m0"), ids(w.overdue(models, T0.plusSeconds(50))), "m1's Create was accepted");
    ModelTable m0Ended = ModelTable.of(List.of(model(0, false, true), model(1, false, false), model(2, false, false)));
    assertEquals(List.of(), ids(w.overdue(m0Ended, T0.plusSeconds(50))), "an ended model is owed no Create");
  }

  @Test
  void aHeldDeadlineIsReportedOncePerIncarnation() {
    CreateWindow w = new CreateWindow();
    assertTrue(w.reportHold());
    assertFalse(w.reportHold());
  }
}
