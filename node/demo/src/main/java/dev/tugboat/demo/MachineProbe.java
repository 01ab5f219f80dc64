package dev.tugboat.demo;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A fixed piece of CPU work, timed, so that a benchmark's figures can be read against the speed
 * the machine had while it ran. The machines these benchmarks run on are VMs whose speed changes
 * under them, by a factor of several between days, so a figure without the machine's speed next
 * to it cannot be compared with another run's (docs/benchmarks.md, "The machine probe").
 *
 * <p>The work: SHA-256 over {@code mebibytes} MiB of a fixed buffer, once on one thread and once on
 * each of {@code threads} threads at the same time (the CPU's speed, with the VM's other tenants);
 * and a walk of {@code walkSteps} steps along a random cycle through 32 MiB of memory (its latency: Tugboat's own
 * work is mostly following pointers, which SHA-256 does not do). Each is run once first (the walk a quarter
 * of its steps), so its JIT compilation is not counted. Lower is faster.
 */
record MachineProbe(int mebibytes, long singleThreadMillis, int threads, long allThreadsMillis, int walkSteps,
    long memoryWalkMillis) {

  private static final int BUFFER_BYTES = 1 << 20;
  /** The memory walk: a random cycle through 8 M ints (32 MiB, beyond the caches). */
  private static final int WALK_INTS = 1 << 23;
  /** Steps of the measured walk: long enough to average out scheduling noise. */
  static final int WALK_STEPS = 1 << 22;

  MachineProbe {
    if (mebibytes <= 0 || threads <= 0 || walkSteps <= 0 || singleThreadMillis < 0 || allThreadsMillis < 0
        || memoryWalkMillis < 0) {
      throw new IllegalArgumentException("invalid machine probe: " + mebibytes + " MiB, " + threads + " threads, "
          + walkSteps + " steps, times " + singleThreadMillis + "/" + allThreadsMillis + "/" + memoryWalkMillis + " ms");
    }
  }

  /** The hashing work of the benchmarks' probe: long enough to average out scheduling noise, short enough to run before and after every benchmark. */
  static final int MEBIBYTES = 512;

  /** The benchmarks' probe: {@link #MEBIBYTES} on one thread, then on every available processor at once. */
  static MachineProbe measure() {
    return measure(MEBIBYTES, Runtime.getRuntime().availableProcessors(), WALK_STEPS);
  }

  static MachineProbe measure(int mebibytes, int threads, int walkSteps) {
    if (mebibytes <= 0 || threads <= 0 || walkSteps <= 0) {
      throw new IllegalArgumentException("the machine probe needs at least 1 MiB, 1 thread and 1 step, got "
          + mebibytes + " MiB, " + threads + " threads and " + walkSteps + " steps");
    }
    timeAtOnce(mebibytes, 1);
    long single = timeAtOnce(mebibytes, 1);
    timeAtOnce(mebibytes, threads);
    long all = timeAtOnce(mebibytes, threads);
    int[] cycle = randomCycle(WALK_INTS);
    walk(cycle, Math.max(1, walkSteps / 4));
    long start = System.nanoTime();
    walk(cycle, walkSteps);
    long memory = (System.nanoTime() - start) / 1_000_000;
    return new MachineProbe(mebibytes, single, threads, all, walkSteps, memory);
  }

  /** The line the benchmarks print, e.g. before and after their run. */
  String describe(String when) {
    return String.format(Locale.ROOT, "machine %s: SHA-256 of %d MiB took %d ms on one thread, %d ms on each of %d "
        + "threads at once; a random walk of %d steps through 32 MiB %d ms (lower is faster)", when, mebibytes,
        singleThreadMillis, allThreadsMillis, threads, walkSteps, memoryWalkMillis);
  }

  /** Milliseconds until every one of {@code threads} threads has hashed {@code mebibytes} MiB. */
  private static long timeAtOnce(int mebibytes, int threads) {
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "machine-probe");
      t.setDaemon(true);
      return t;
    });
    try {
      long start = System.nanoTime();
      List<Future<byte[]>> results = new ArrayList<>(threads);
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> hash(mebibytes)));
      }
      for (Future<byte[]> f : results) {
        int length = f.get().length;
        if (length != 32) {
          throw new IllegalStateException("SHA-256 gave a digest of " + length + " bytes");
        }
      }
      return (System.nanoTime() - start) / 1_000_000;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("machine probe interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("machine probe failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** A single cycle through all of 0..n-1 in a fixed pseudo-random order (Sattolo's shuffle). */
  private static int[] randomCycle(int n) {
    int[] next = new int[n];
    for (int i = 0; i < n; i++) {
      next[i] = i;
    }
    SplittableRandom random = new SplittableRandom(42);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i);
      int t = next[i];
      next[i] = next[j];
      next[j] = t;
    }
    return next;
  }

  private static void walk(int[] cycle, int steps) {
    int at = 0;
    for (int i = 0; i < steps; i++) {
      at = cycle[at];
    }
    if (at < 0) {
      throw new IllegalStateException("the walk left the cycle at " + at);
    }
  }

  private static byte[] hash(int mebibytes) throws NoSuchAlgorithmException {
    byte[] buffer = new byte[BUFFER_BYTES];
    for (int i = 0; i < buffer.length; i++) {
      buffer[i] = (byte) (i * 31 + 7);
    }
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < mebibytes; i++) {
      sha.update(buffer);
    }
    return sha.digest();
  }
}
