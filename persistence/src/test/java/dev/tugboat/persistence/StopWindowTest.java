package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.persistence.SimulationState.Model;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StopWindowTest {

  private static Model model(int i, boolean ended) {
    ServiceSpec spec = ServiceSpec.of("so", "sim", new ModelSpec("m" + i, "img:1", List.of()), 1.0);
    return new Model(spec, true, false,
        ended ? new SimulationState.Termination(TerminationStatus.FAILED, 1, "x") : null);
  }

  private static ModelTable table(int n, int... ended) {
    List<Integer> endedIds = IntStream.of(ended).boxed().toList();
    return ModelTable.of(IntStream.range(0, n).mapToObj(i -> model(i, endedIds.contains(i))).toList());
  }

  private static List<String> ids(List<Model> models) {
    return models.stream().map(m -> m.spec().modelId()).toList();
  }

  @Test
  void asksOnlyModelsThatHaveNotEndedAtMostAWindowAtATime() {
    ModelTable models = table(5, 1);
    StopWindow w = StopWindow.empty();
    List<Model> due = w.due(models, 2);
    assertEquals(List.of("m0", "m2"), ids(due));
    w = w.asked(ids(due));
    assertEquals(List.of(), ids(w.due(models, 2)), "the window is full");
    w = w.answered("m0", true);
    assertEquals(List.of("m3"), ids(w.due(models, 2)), "one answer makes room for one more");
  }

  @Test
  void anAcceptedServiceIsNotAskedAgainAFailedAskIs() {
    ModelTable models = table(2);
    StopWindow w = StopWindow.empty().asked(List.of("m0", "m1"));
    w = w.answered("m0", true).answered("m1", false);
    assertEquals(List.of("m1"), ids(w.due(models, 10)));
  }

  @Test
  void aModelThatEndedMeanwhileIsNotAsked() {
    StopWindow w = StopWindow.empty();
    assertEquals(List.of("m0", "m1"), ids(w.due(table(2), 10)));
    assertEquals(List.of("m1"), ids(w.due(table(2, 0), 10)));
    assertEquals(List.of(), ids(w.due(table(2, 0, 1), 10)));
  }
}
