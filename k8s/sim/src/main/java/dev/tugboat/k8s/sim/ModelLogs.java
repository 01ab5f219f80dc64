package dev.tugboat.k8s.sim;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The log lines of each running or finished simulated container, served by the log endpoint. */
public final class ModelLogs {
  private static final int MAX_LINES = 10_000;
  private final Map<String, ArrayDeque<String>> logs = new ConcurrentHashMap<>();

  void open(String podName) {
    logs.putIfAbsent(podName, new ArrayDeque<>());
  }

  void append(String podName, String line) {
    ArrayDeque<String> lines = logs.get(podName);
    if (lines == null) {
      return;
    }
    synchronized (lines) {
      if (lines.size() == MAX_LINES) {
        lines.pollFirst();
      }
      lines.addLast(line);
    }
  }

  /** The last n lines (all when n <= 0), or empty when the container never started. */
  public Optional<List<String>> tail(String podName, int n) {
    ArrayDeque<String> lines = logs.get(podName);
    if (lines == null) {
      return Optional.empty();
    }
    synchronized (lines) {
      List<String> all = List.copyOf(lines);
      return Optional.of(n <= 0 || n >= all.size() ? all : all.subList(all.size() - n, all.size()));
    }
  }

  void remove(String podName) {
    logs.remove(podName);
  }
}
