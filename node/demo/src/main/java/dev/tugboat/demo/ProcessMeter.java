package dev.tugboat.demo;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What this process went through while a benchmark's run measured latencies, so that a tail can be
 * read against it: garbage collections and their time, the CPU the process used (in cores), and
 * stalls, the longest a thread asking to sleep 1 ms was kept from running (by a collection's pause
 * or by the machine's other work). One meter thread runs for the process's life; {@link #start}
 * begins a window and {@link Window#end} reads it.
 */
final class ProcessMeter {
  private static final long TICK_NANOS = 1_000_000;
  private static final ProcessMeter INSTANCE = new ProcessMeter();

  private final AtomicLong longestStallNanos = new AtomicLong();
  private final AtomicLong stallsOver2Ms = new AtomicLong();

  private ProcessMeter() {
    Thread t = new Thread(this::meter, "process-meter");
    t.setDaemon(true);
    t.start();
  }

  private void meter() {
    while (true) {
      long before = System.nanoTime();
      LockSupport.parkNanos(TICK_NANOS);
      long late = System.nanoTime() - before - TICK_NANOS;
      longestStallNanos.accumulateAndGet(late, Math::max);
      if (late > 2 * TICK_NANOS) {
        stallsOver2Ms.incrementAndGet();
      }
    }
  }

  /** Begins a window: the counters now. */
  static Window start() {
    INSTANCE.longestStallNanos.set(0);
    INSTANCE.stallsOver2Ms.set(0);
    return new Window(System.nanoTime(), cpuNanos(), gcCount(), gcMillis());
  }

  /** A window's start; {@link #end} gives what happened since. */
  record Window(long wallNanos, long cpuNanos, long collections, long collectionMillis) {
    Figures end() {
      long wall = System.nanoTime() - wallNanos;
      return new Figures(ProcessMeter.gcCount() - collections, ProcessMeter.gcMillis() - collectionMillis,
          wall <= 0 ? 0 : (ProcessMeter.cpuNanos() - cpuNanos) / (double) wall,
          INSTANCE.longestStallNanos.get() / 1_000_000, INSTANCE.stallsOver2Ms.get());
    }
  }

  /** Collections and their ms, cores used, the longest stall (ms) and the stalls over 2 ms. */
  record Figures(long collections, long collectionMillis, double cores, long longestStallMillis, long stallsOver2Ms) {
    String describe() {
      return String.format(Locale.ROOT, "gc %d (%d ms), cpu %.2f cores, stalls >2 ms %d (longest %d ms)",
          collections, collectionMillis, cores, stallsOver2Ms, longestStallMillis);
    }
  }

  private static long gcCount() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionCount).filter(c -> c > 0).sum();
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(c -> c > 0).sum();
  }

  private static long cpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : 0;
  }
}
