package dev.tugboat.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps that stop a node, run last added first within its drain time: each waits at most for
 * what is left of it, and once it is over the remaining steps are started without waiting for
 * them, so the process ends on time (what they would have closed, the process's end does). A step
 * that fails is logged and the next runs. One INFO line at the end gives the whole stop's time and each step's.
 */
final class NodeStop {
  private static final Logger log = LoggerFactory.getLogger(NodeStop.class);

  /** One step: what it stops, and how. */
  private record Step(String name, AutoCloseable action) {}

  private final List<Step> steps = new ArrayList<>();

  /** Adds a step; it runs before every step added earlier. */
  synchronized void add(String name, AutoCloseable action) {
    steps.add(new Step(name, action));
  }

  /** Runs every step once, last added first, within {@code drainTime}; returns when done or when it is over. */
  void run(Duration drainTime) {
    List<Step> order;
    synchronized (this) {
      order = new ArrayList<>(steps);
      steps.clear();
    }
    if (order.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    long deadline = start + drainTime.toNanos();
    List<String> cut = new ArrayList<>();
    List<String> times = new ArrayList<>();
    for (int i = order.size() - 1; i >= 0; i--) {
      Step step = order.get(i);
      long stepStart = System.nanoTime();
      Thread t = new Thread(() -> close(step), "tugboat-stop-" + step.name());
      t.setDaemon(true);
      t.start();
      long left = deadline - stepStart;
      if (left > 0) {
        try {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (t.isAlive()) {
        cut.add(step.name());
      } else {
        times.add(step.name() + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stepStart) + " ms");
      }
    }
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (cut.isEmpty()) {
      log.info("node stopped in {} ms (drain time {} ms): {}", took, drainTime.toMillis(), String.join(", ", times));
    } else {
      log.info("node stopped in {} ms: the drain time ({} ms) was over before {} stopped; not waiting for {} ({})",
          took, drainTime.toMillis(), String.join(", ", cut), cut.size() == 1 ? "it" : "them",
          String.join(", ", times));
    }
  }

  private static void close(Step step) {
    try {
      step.action().close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("while stopping the node ({}): {}", step.name(), e.toString());
    }
  }
}
