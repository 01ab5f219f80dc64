package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.events.EventPosition;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetainedEventsTest {

  @Test
  void resumesWhenTheNextEventIsStillRetained() {
    assertEquals(Optional.empty(), RetainedEvents.problem(EventPosition.of(9, 3), 0, 10, 0));
    assertEquals(Optional.empty(), RetainedEvents.problem(EventPosition.of(50, 3), 0, 10, 0), "past the oldest");
  }

  @Test
  void resumesWhenEveryOrderingBelowTheOldestEventIsStillThere() {
    assertEquals(Optional.empty(), RetainedEvents.problem(EventPosition.of(0, 0), 1, 3, 2),
        "orderings 1 and 2 are Cluster Sharding's rows, still there");
  }

  @Test
  void isGoneWhenAnOrderingBelowTheOldestEventIsMissing() {
    Optional<String> problem = RetainedEvents.problem(EventPosition.of(8, 0), 0, 12, 2);
    assertTrue(problem.isPresent());
    assertTrue(problem.get().startsWith("events after 8-0 are no longer retained (1 missing below the oldest kept,"
        + " ordering 12 of journal 0)"), problem.get());
  }
}
