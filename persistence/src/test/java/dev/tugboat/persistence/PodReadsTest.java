package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PodReadsTest {

  @Test
  void oneLookupAtATime() {
    PodReads r = PodReads.none();
    assertTrue(r.mayLookup());
    r = r.lookupSent();
    assertFalse(r.mayLookup());
    assertTrue(r.lookupAnswered().mayLookup());
  }

  @Test
  void noLookupWhileTheLogIsRead() {
    PodReads r = PodReads.none().logReadStarted();
    assertTrue(r.readingLog());
    assertFalse(r.mayLookup());
    r = r.logReadOver();
    assertFalse(r.readingLog());
    assertTrue(r.mayLookup());
  }

  @Test
  void theTwoReadsEndApart() {
    PodReads both = PodReads.none().lookupSent().logReadStarted();
    assertTrue(both.lookupAnswered().readingLog());
    assertTrue(both.logReadOver().lookupInFlight());
  }
}
