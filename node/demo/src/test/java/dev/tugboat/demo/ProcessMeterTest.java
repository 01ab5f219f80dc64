package dev.tugboat.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** What a benchmark's run went through: collections, CPU and stalls within a window. */
class ProcessMeterTest {

  @Test
  void aWindowCountsTheCollectionsAndTheCpuWithinIt() {
    ProcessMeter.Window window = ProcessMeter.start();
    System.gc();
    long spinUntil = System.nanoTime() + 100_000_000;
    long sum = 0;
    while (System.nanoTime() < spinUntil) {
      sum += System.nanoTime() % 7;
    }
    ProcessMeter.Figures figures = window.end();
    assertTrue(sum >= 0);
    assertTrue(figures.collections() >= 1, figures.describe());
    assertTrue(figures.cores() > 0, figures.describe());
    assertTrue(figures.stallsOver2Ms() >= 0 && figures.longestStallMillis() >= 0, figures.describe());
  }

  @Test
  void aQuietWindowHasNoCollectionAndSaysSo() {
    ProcessMeter.start();
    ProcessMeter.Window window = ProcessMeter.start();
    LockSupport.parkNanos(20_000_000);
    ProcessMeter.Figures figures = window.end();
    assertEquals(String.format(java.util.Locale.ROOT,
        "gc %d (%d ms), cpu %.2f cores, stalls >2 ms %d (longest %d ms)", figures.collections(),
        figures.collectionMillis(), figures.cores(), figures.stallsOver2Ms(), figures.longestStallMillis()),
        figures.describe());
  }
}
