package dev.tugboat.k8s.sim;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the simulated Kubernetes: the namespace, how the simulated kubelet paces pods, and
 * the initial fault knobs (which {@link Faults} can change at run time). Read from
 * {@code tugboat.kubernetes.simulated} (plus {@code tugboat.kubernetes.namespace}).
 */
public record SimulatedKubernetesSettings(
    String namespace,
    Duration modelRunTime,
    Duration pendingDelay,
    double errorRate,
    Duration latency,
    int tooManyRequestsBurst,
    Duration tooManyRequestsRetryAfter,
    int maxPods) {

  public SimulatedKubernetesSettings {
    if (errorRate < 0 || errorRate > 1) {
      throw new IllegalArgumentException("error-rate must be within [0, 1]");
    }
    if (modelRunTime.isNegative() || pendingDelay.isNegative() || latency.isNegative()
        || tooManyRequestsRetryAfter.isNegative() || tooManyRequestsBurst < 0 || maxPods < 0) {
      throw new IllegalArgumentException("simulated Kubernetes durations and counts must not be negative");
    }
  }

  /** No faults, 10 s model run time, 200 ms pending delay. */
  public static SimulatedKubernetesSettings defaults(String namespace) {
    return new SimulatedKubernetesSettings(namespace, Duration.ofSeconds(10), Duration.ofMillis(200), 0.0,
        Duration.ZERO, 0, Duration.ofSeconds(1), 0);
  }

  public static SimulatedKubernetesSettings fromConfig(Config root) {
    Config c = root.getConfig("tugboat.kubernetes.simulated");
    return new SimulatedKubernetesSettings(
        root.getString("tugboat.kubernetes.namespace"),
        c.getDuration("model-run-time"),
        c.getDuration("pending-delay"),
        c.getDouble("error-rate"),
        c.getDuration("latency"),
        c.getInt("too-many-requests-burst"),
        c.getDuration("too-many-requests-retry-after"),
        c.getInt("max-pods"));
  }

  public SimulatedKubernetesSettings withModelRunTime(Duration d) {
    return new SimulatedKubernetesSettings(namespace, d, pendingDelay, errorRate, latency, tooManyRequestsBurst,
        tooManyRequestsRetryAfter, maxPods);
  }

  public SimulatedKubernetesSettings withPendingDelay(Duration d) {
    return new SimulatedKubernetesSettings(namespace, modelRunTime, d, errorRate, latency, tooManyRequestsBurst,
        tooManyRequestsRetryAfter, maxPods);
  }

  public SimulatedKubernetesSettings withMaxPods(int n) {
    return new SimulatedKubernetesSettings(namespace, modelRunTime, pendingDelay, errorRate, latency,
        tooManyRequestsBurst, tooManyRequestsRetryAfter, n);
  }
}
