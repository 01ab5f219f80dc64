package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServiceRemovalsTest {

  @Test
  void asksWithinTheWindowAndCompletesOnceEveryServiceAnswered() {
    ServiceRemovals r = ServiceRemovals.start();
    assertEquals(2, r.room(5, 2));
    r = r.asked(List.of("m0", "m1"));
    assertEquals(0, r.room(5, 2), "the window is full");
    r = r.answered("m0", true);
    assertEquals(1, r.room(5, 2));
    r = r.asked(List.of("m2")).answered("m1", true).answered("m2", true);
    assertFalse(r.complete(5), "m3 and m4 were never asked");
    r = r.asked(List.of("m3", "m4")).answered("m3", true).answered("m4", true);
    assertTrue(r.complete(5));
    assertFalse(r.anyKept());
    assertEquals(0, r.room(5, 2));
  }

  @Test
  void oneServiceThatKeepsItsPodKeepsTheSimulation() {
    ServiceRemovals r = ServiceRemovals.start().asked(List.of("m0", "m1")).answered("m0", false).answered("m1", true);
    assertTrue(r.complete(2));
    assertTrue(r.anyKept());
  }

  @Test
  void anAnswerToNoAskChangesNothing() {
    ServiceRemovals r = ServiceRemovals.start().asked(List.of("m0"));
    assertSame(r, r.answered("other", false));
    assertEquals(Set.of("m0"), r.unanswered());
  }

  @Test
  void aSimulationWithoutServicesIsCompleteAtOnce() {
    assertTrue(ServiceRemovals.start().complete(0));
  }
}
