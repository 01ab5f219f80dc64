package dev.tugboat.k8s;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's meters (docs/architecture.md, "Call pipeline" and "Admission"). Calls are counted
 * from the call threads too (the GET that checks a 409), so the call counters are thread-safe;
 * the rest is set by the actor.
 */
final class GatewayMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> calls = new ConcurrentHashMap<>();
  private final Map<CallKind, Counter> retries = new EnumMap<>(CallKind.class);
  private final Map<CallKind, Counter> pausedSeconds = new EnumMap<>(CallKind.class);
  private final Counter informerRestarts;
  private final AtomicInteger inFlight;
  private final AtomicInteger queued;
  private final AtomicInteger admissionQueued;
  private final AtomicInteger admissionLimit;
  private final AtomicInteger atQuota;

  GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.inFlight = registry.gauge("tugboat.k8s.calls.in-flight", new AtomicInteger());
    this.queued = registry.gauge("tugboat.k8s.calls.queued", new AtomicInteger());
    this.informerRestarts = registry.counter("tugboat.k8s.informer.restarts");
    this.admissionQueued = registry.gauge("tugboat.k8s.admission.queued", new AtomicInteger());
    this.admissionLimit = registry.gauge("tugboat.k8s.admission.limit", new AtomicInteger());
    this.atQuota = registry.gauge("tugboat.k8s.admission.at-quota", new AtomicInteger());
  }

  /** One attempt of a call came to {@code outcome} (ok, retry, failed, quota). */
  void call(CallKind kind, String outcome) {
    calls.computeIfAbsent(kind.tag + "/" + outcome,
        k -> registry.counter("tugboat.k8s.calls", "kind", kind.tag, "outcome", outcome)).increment();
  }

  void retry(CallKind kind) {
    retries.computeIfAbsent(kind, k -> registry.counter("tugboat.k8s.retries", "kind", k.tag)).increment();
  }

  /** A 429 paused this kind for {@code nanos} more. */
  void paused(CallKind kind, long nanos) {
    pausedSeconds.computeIfAbsent(kind, k -> registry.counter("tugboat.k8s.paused.seconds", "kind", k.tag))
        .increment(nanos / 1e9);
  }

  void informerRestarted() {
    informerRestarts.increment();
  }

  void calls(int inFlightNow, int queuedNow) {
    inFlight.set(inFlightNow);
    queued.set(queuedNow);
  }

  /** The admission gauges; limit 0 (none) shows as -1. */
  void admission(int queuedNow, int limit, boolean atQuotaNow) {
    admissionQueued.set(queuedNow);
    admissionLimit.set(limit == 0 ? -1 : limit);
    atQuota.set(atQuotaNow ? 1 : 0);
  }
}
