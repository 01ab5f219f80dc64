package dev.tugboat.k8s.sim;

import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the simulated API server saw from its clients (the simulated kubelet excluded): requests
 * by kind, create attempts and successful creates per pod name, injected faults, and the most
 * requests it was serving at once (a request counts from its arrival until its delayed answer).
 */
public final class ApiServerCounters {

  /** Kinds of request, by method and path. */
  public enum Kind { CREATE, DELETE, GET, LIST, WATCH, LOG, STATUS, UPDATE, OTHER }

  private final Map<Kind, AtomicInteger> byKind = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> createAttempts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> created = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> faults = new ConcurrentHashMap<>();
  private final TreeSet<Long> activeUntil = new TreeSet<>();
  private long sequence;
  private int maxConcurrent;

  public int requests(Kind kind) {
    AtomicInteger n = byKind.get(kind);
    return n == null ? 0 : n.get();
  }

  /** Create requests for this pod name, refused ones included. */
  public int createAttempts(String podName) {
    AtomicInteger n = createAttempts.get(podName);
    return n == null ? 0 : n.get();
  }

  /** Creates of this pod name that the server accepted (201). */
  public int creates(String podName) {
    AtomicInteger n = created.get(podName);
    return n == null ? 0 : n.get();
  }

  /** Every pod name created, with how many times. */
  public Map<String, Integer> createsByPod() {
    Map<String, Integer> m = new ConcurrentHashMap<>();
    created.forEach((k, v) -> m.put(k, v.get()));
    return Map.copyOf(m);
  }

  /** How many answers with this HTTP status were injected as faults. */
  public int injectedFaults(int httpStatus) {
    AtomicInteger n = faults.get(httpStatus);
    return n == null ? 0 : n.get();
  }

  public synchronized int maxConcurrentRequests() {
    return maxConcurrent;
  }

  /** Forgets everything counted so far. */
  public synchronized void reset() {
    byKind.clear();
    createAttempts.clear();
    created.clear();
    faults.clear();
    activeUntil.clear();
    maxConcurrent = 0;
  }

  void request(Kind kind) {
    byKind.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
  }

  void createAttempt(String podName) {
    createAttempts.computeIfAbsent(podName, k -> new AtomicInteger()).incrementAndGet();
  }

  void created(String podName) {
    created.computeIfAbsent(podName, k -> new AtomicInteger()).incrementAndGet();
  }

  void fault(int httpStatus) {
    faults.computeIfAbsent(httpStatus, k -> new AtomicInteger()).incrementAndGet();
  }

  /**
   * A request arrives and will be answered after latency. Active requests are kept as their
   * answer times (nanos, made unique with a low-order sequence) so overlaps can be counted.
   */
  synchronized void arrive(Duration latency) {
    long now = System.nanoTime();
    activeUntil.headSet(now, true).clear();
    long until = now + Math.max(1_000_000, latency.toNanos());
    // Unique keys: nudge by a sequence so equal times do not collapse.
    activeUntil.add(until + (sequence++ & 0xFFF));
    maxConcurrent = Math.max(maxConcurrent, activeUntil.size());
  }
}
