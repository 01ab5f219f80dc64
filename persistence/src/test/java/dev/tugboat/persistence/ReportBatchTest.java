package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportBatchTest {

  @Test
  void onlyTheFirstItemAfterADrainOwesAFlush() {
    ReportBatch batch = new ReportBatch();
    assertTrue(batch.add(new ReportBatch.CreateAccepted("m0")), "the first item owes a Flush");
    assertFalse(batch.add(new ReportBatch.CreateAccepted("m1")), "one Flush is already owed");
    assertFalse(batch.add(new ReportBatch.Deliveries(List.of(1L), null)));
    batch.drain();
    assertTrue(batch.add(new ReportBatch.CreateAccepted("m2")), "after the drain a new Flush is owed");
  }

  @Test
  void aDrainGivesTheItemsInArrivalOrderAndEmptiesTheBatch() {
    ReportBatch batch = new ReportBatch();
    ReportBatch.Item ready = new ReportBatch.Ready("m1", null);
    ReportBatch.Item delivered = new ReportBatch.Deliveries(List.of(3L, 4L), null);
    ReportBatch.Item accepted = new ReportBatch.CreateAccepted("m0");
    batch.add(ready);
    batch.add(delivered);
    batch.add(accepted);
    assertEquals(List.of(ready, delivered, accepted), batch.drain());
    assertEquals(List.of(), batch.drain(), "nothing is given twice");
  }

  @Test
  void aDrainWithNothingHeldStillReArmsTheFlush() {
    ReportBatch batch = new ReportBatch();
    batch.add(new ReportBatch.CreateAccepted("m0"));
    batch.drain();
    // A Flush that arrives after a Stop drained the batch finds it empty; the next item owes its own.
    assertEquals(List.of(), batch.drain());
    assertTrue(batch.add(new ReportBatch.CreateAccepted("m1")));
  }
}
