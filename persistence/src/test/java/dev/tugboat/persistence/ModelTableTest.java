package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.SimulationState.Model;
import dev.tugboat.persistence.SimulationState.Termination;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model table keeps order, lookups and counters right across chunk boundaries. */
class ModelTableTest {

  private static Model fresh(int i) {
    return new Model(ServiceSpec.of("204-asd", "sim", new ModelSpec("m" + i, "img:1", List.of()), 1), false, false,
        null);
  }

  @Test
  void updatesReplaceOneModelAndMaintainTheCounters() {
    List<Model> models = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      models.add(fresh(i));
    }
    ModelTable empty = ModelTable.of(models);
    assertEquals(200, empty.awaitingCreateCount());
    ModelTable t = empty;
    for (int i = 0; i < 200; i += 3) {
      Model m = t.byId("m" + i).orElseThrow();
      t = t.with(new Model(m.spec(), true, true, null));
    }
    for (int i = 0; i < 200; i += 5) {
      Model m = t.byId("m" + i).orElseThrow();
      t = t.with(new Model(m.spec(), m.createAcknowledged(), m.ready(),
          new Termination(TerminationStatus.SUCCEEDED, 0, "")));
    }
    long acked = t.stream().filter(Model::createAcknowledged).count();
    assertEquals(t.stream().filter(Model::ready).count(), t.readyCount());
    assertEquals(t.stream().filter(m -> m.termination() != null).count(), t.terminatedCount());
    assertEquals(t.stream().filter(m -> !m.createAcknowledged() && m.termination() == null).count(),
        t.awaitingCreateCount());
    assertEquals(67, acked);
    assertEquals(40, t.terminatedCount());
    // The original is untouched and the order is the deploy order.
    assertEquals(200, empty.awaitingCreateCount());
    assertEquals(models, empty.list());
    for (int i = 0; i < 200; i++) {
      assertEquals("m" + i, t.get(i).spec().modelId());
    }
    assertEquals(t, ModelTable.of(t.list()));
    assertSame(t, t.with(fresh(999)));
    assertTrue(t.byId("m999").isEmpty());
  }
}
