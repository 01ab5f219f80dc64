package dev.tugboat.k8s.sim;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * What the simulated API server saw from its clients (the simulated kubelet excluded): requests
 * by kind, write requests, create attempts and successful creates per pod name, injected faults,
 * and the two bounds a client's call pipeline must keep: the most <em>bounded requests</em> in
 * flight at once and the most that arrived within any one second.
 *
 * <p>Bounded requests are the ones the Kubernetes gateway's call pipeline sends: pod create,
 * delete, get, log, update and status, refused ones and injected faults included; list and watch
 * (the informer's, which the pipeline does not limit) are not among them. A bounded request is
 * in flight from its arrival until the server has computed its answer plus the injected latency;
 * that interval lies within the client's call, so the peak seen here never exceeds the client's
 * true concurrency.
 */
public final class ApiServerCounters {

  /** Kinds of request, by method and path. */
  public enum Kind { CREATE, DELETE, GET, LIST, WATCH, LOG, STATUS, UPDATE, OTHER }

  private static final long SECOND_NANOS = 1_000_000_000L;

  private final LongSupplier nanoClock;

  private final Map<Kind, AtomicInteger> byKind = new ConcurrentHashMap<>();
  private final AtomicInteger writes = new AtomicInteger();
  private final Map<String, AtomicInteger> createAttempts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> created = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> faults = new ConcurrentHashMap<>();
  // Guarded by this: bounded requests being answered now, the ones whose answer is held back
  // (their release times), arrivals of the last second, and the peaks.
  private int answering;
  private final PriorityQueue<Long> heldUntil = new PriorityQueue<>();
  private final ArrayDeque<Long> lastSecond = new ArrayDeque<>();
  private final Map<Kind, ArrayDeque<Long>> lastSecondByKind = new EnumMap<>(Kind.class);
  private final Map<Kind, Integer> maxPerSecondByKind = new EnumMap<>(Kind.class);
  private int maxConcurrent;
  private int maxPerSecond;

  public ApiServerCounters() {
    this(System::nanoTime);
  }

  ApiServerCounters(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  public int requests(Kind kind) {
    AtomicInteger n = byKind.get(kind);
    return n == null ? 0 : n.get();
  }

  /**
   * Write requests: every POST, PUT, PATCH and DELETE (pod create, delete, update, patch, status,
   * delete-collection, and writes to other resources), whatever the answer (refused ones, injected
   * 429s and 500s included, since each one is load on the API server). Divided by the number of
   * models it gives a benchmark's {@code api_writes_per_model}. The simulated kubelet's status
   * writes are not among them: they do not go through HTTP.
   */
  public int writeRequests() {
    return writes.get();
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

  /** How many answers with this HTTP status were injected as faults (403: quota refusals). */
  public int injectedFaults(int httpStatus) {
    AtomicInteger n = faults.get(httpStatus);
    return n == null ? 0 : n.get();
  }

  /** The most bounded requests (see the class comment) in flight at once. */
  public synchronized int maxConcurrentRequests() {
    return maxConcurrent;
  }

  /**
   * The most bounded requests (see the class comment) that arrived within any one second: a
   * sliding window, checked at every arrival. A token bucket of qps and burst allows at most
   * qps + burst starts in any second.
   */
  public synchronized int maxRequestsInOneSecond() {
    return maxPerSecond;
  }

  /** As {@link #maxRequestsInOneSecond()}, for the bounded requests of one kind only. */
  public synchronized int maxRequestsInOneSecond(Kind kind) {
    return maxPerSecondByKind.getOrDefault(kind, 0);
  }

  /** Forgets everything counted so far (requests still in flight keep counting as such). */
  public synchronized void reset() {
    byKind.clear();
    writes.set(0);
    createAttempts.clear();
    created.clear();
    faults.clear();
    lastSecond.clear();
    lastSecondByKind.clear();
    maxPerSecondByKind.clear();
    maxConcurrent = 0;
    maxPerSecond = 0;
  }

  void request(Kind kind, String method) {
    byKind.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    switch (method.toUpperCase(Locale.ROOT)) {
      case "POST", "PUT", "PATCH", "DELETE" -> writes.incrementAndGet();
      default -> { }
    }
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

  /** A bounded request arrives; the server must call {@link #answered} once it has its answer. */
  synchronized void arrive(Kind kind) {
    long now = nanoClock.getAsLong();
    while (!heldUntil.isEmpty() && heldUntil.peek() - now <= 0) {
      heldUntil.poll();
    }
    answering++;
    maxConcurrent = Math.max(maxConcurrent, answering + heldUntil.size());
    while (!lastSecond.isEmpty() && now - lastSecond.peekFirst() >= SECOND_NANOS) {
      lastSecond.pollFirst();
    }
    lastSecond.addLast(now);
    maxPerSecond = Math.max(maxPerSecond, lastSecond.size());
    ArrayDeque<Long> ofKind = lastSecondByKind.computeIfAbsent(kind, k -> new ArrayDeque<>());
    while (!ofKind.isEmpty() && now - ofKind.peekFirst() >= SECOND_NANOS) {
      ofKind.pollFirst();
    }
    ofKind.addLast(now);
    maxPerSecondByKind.merge(kind, ofKind.size(), Math::max);
  }

  /** The answer of a bounded request is ready; it is sent after latency, and in flight until then. */
  synchronized void answered(Duration latency) {
    answering--;
    if (!latency.isZero() && !latency.isNegative()) {
      heldUntil.add(nanoClock.getAsLong() + latency.toNanos());
    }
  }
}
