package dev.tugboat.k8s.sim;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simulated API server's fault knobs, changeable at run time from any thread. They apply to
 * the calls of API clients (the gateway), never to the simulated kubelet; the watch knobs act on
 * every open watch.
 */
public final class Faults {
  private volatile double errorRate;
  private volatile Duration latency;
  private final AtomicInteger pending429 = new AtomicInteger();
  private volatile int retryAfterSeconds;
  private volatile int maxPods;
  private volatile java.util.regex.Pattern stuckPending;
  private volatile String secretWritesRefused;
  private final java.util.concurrent.atomic.AtomicBoolean expireNextWatch = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile PodStore store;
  private volatile SimulatedKubelet kubelet;

  Faults(SimulatedKubernetesSettings s) {
    this.errorRate = s.errorRate();
    this.latency = s.latency();
    this.retryAfterSeconds = (int) s.tooManyRequestsRetryAfter().toSeconds();
    this.pending429.set(s.tooManyRequestsBurst());
    this.maxPods = s.maxPods();
  }

  /** The next n calls are answered 429 Too Many Requests with Retry-After: retryAfterSeconds. */
  public Faults inject429(int n, int retryAfterSeconds) {
    this.retryAfterSeconds = Math.max(0, retryAfterSeconds);
    pending429.set(Math.max(0, n));
    return this;
  }

  /** This fraction of pod create and delete calls is answered 500. */
  public Faults errorRate(double fraction) {
    if (fraction < 0 || fraction > 1) {
      throw new IllegalArgumentException("error rate must be within [0, 1]");
    }
    this.errorRate = fraction;
    return this;
  }

  /** Every call's answer is held back this long. */
  public Faults latency(Duration d) {
    this.latency = d.isNegative() ? Duration.ZERO : d;
    return this;
  }

  /** Creates beyond this many pods get 403 "exceeded quota"; 0 = no quota. */
  public Faults maxPods(int n) {
    this.maxPods = Math.max(0, n);
    return this;
  }

  /** Closes every open watch connection now (clients reconnect from their last resourceVersion); returns how many. */
  public int dropWatches() {
    PodStore s = store;
    return s == null ? 0 : s.dropWatches();
  }

  /** The next watch request is answered with an ERROR event 410 Gone (the client must list again). */
  public Faults expireWatchVersions() {
    expireNextWatch.set(true);
    return this;
  }

  /** New pods whose name matches this regular expression stay Pending (ContainerCreating); null: none. */
  public Faults stuckPending(String podNamePattern) {
    this.stuckPending = podNamePattern == null ? null : java.util.regex.Pattern.compile(podNamePattern);
    return this;
  }

  /**
   * Every write of a Secret (create, update, patch) is answered 403 with this message, as when
   * the service account may not write Secrets ("secrets is forbidden: ...") or a quota on Secrets
   * is used up ("exceeded quota: ..."); null: Secrets are written.
   */
  public Faults refuseSecretWrites(String message) {
    this.secretWritesRefused = message;
    return this;
  }

  /** The node of this pod is lost: its container stops and the pod goes to phase Unknown, reason NodeLost. */
  public boolean nodeLost(String podName) {
    SimulatedKubelet k = kubelet;
    return k != null && k.nodeLost(podName);
  }

  /** All faults off. */
  public Faults clear() {
    stuckPending = null;
    secretWritesRefused = null;
    expireNextWatch.set(false);
    errorRate = 0;
    latency = Duration.ZERO;
    pending429.set(0);
    maxPods = 0;
    return this;
  }

  public double errorRate() {
    return errorRate;
  }

  public Duration latency() {
    return latency;
  }

  public int maxPods() {
    return maxPods;
  }

  public int pendingTooManyRequests() {
    return pending429.get();
  }

  void bind(PodStore podStore, SimulatedKubelet simulatedKubelet) {
    this.store = podStore;
    this.kubelet = simulatedKubelet;
  }

  boolean isStuckPending(String podName) {
    java.util.regex.Pattern p = stuckPending;
    return p != null && p.matcher(podName).matches();
  }

  /** The message of a refused Secret write; null while Secrets are written. */
  String secretWritesRefused() {
    return secretWritesRefused;
  }

  boolean takeWatchExpiry() {
    return expireNextWatch.getAndSet(false);
  }

  int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** Takes one 429 from the burst, if any is left. */
  boolean take429() {
    while (true) {
      int n = pending429.get();
      if (n <= 0) {
        return false;
      }
      if (pending429.compareAndSet(n, n - 1)) {
        return true;
      }
    }
  }

  boolean rollError() {
    double rate = errorRate;
    return rate > 0 && ThreadLocalRandom.current().nextDouble() < rate;
  }
}
