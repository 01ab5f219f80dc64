package dev.tugboat.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The benchmarks' reading of the machine's speed. */
class MachineProbeTest {

  @Test
  void timesTheWorkOnOneThreadAndOnAllOfThemAtOnce() {
    MachineProbe probe = MachineProbe.measure(4, 2, 1 << 16);
    assertEquals(4, probe.mebibytes());
    assertEquals(2, probe.threads());
    assertTrue(probe.memoryWalkMillis() >= 0, probe.toString());
    assertEquals("machine before: SHA-256 of 4 MiB took " + probe.singleThreadMillis() + " ms on one thread, "
        + probe.allThreadsMillis() + " ms on each of 2 threads at once; a random walk of 65536 steps through 32 MiB "
        + probe.memoryWalkMillis() + " ms (lower is faster)", probe.describe("before"));
  }

  @Test
  void moreWorkTakesLonger() {
    // 256 MiB take a few hundred ms, 1 MiB a few: the figure follows the work, not a fixed overhead.
    long large = MachineProbe.measure(256, 1, 1).singleThreadMillis();
    long small = MachineProbe.measure(1, 1, 1).singleThreadMillis();
    assertTrue(large > small, "256 MiB took " + large + " ms, 1 MiB " + small + " ms");
  }

  @Test
  void refusesWorkThatMeasuresNothing() {
    assertThrows(IllegalArgumentException.class, () -> MachineProbe.measure(0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> MachineProbe.measure(1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> MachineProbe.measure(1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new MachineProbe(1, -1, 1, 0, 1, 0));
  }
}
