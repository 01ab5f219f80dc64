package dev.tugboat.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The drain time ({@code tugboat.drain-time}, TUGBOAT_DRAIN_TIME): the bound on a node's whole stop,
 * from SIGTERM/SIGINT to the end of the process. Pekko's CoordinatedShutdown phases get their
 * timeouts as shares of it ({@link #shutdownConfig}): the largest for the shards' hand-off, whose
 * entities finish their writes (cluster-sharding-shutdown-region), and for the cluster leave, which
 * the other members must see (cluster-leave, cluster-exiting), so that the shards move at once
 * instead of after the node is downed; then the HTTP requests in flight (service-requests-done).
 * The phases together take at most
 * {@link #ACTOR_SYSTEM_PERCENT} % of it; the steps after the actor system (the H2 journal's close,
 * the embedded mode's simulated Kubernetes and broker) get what is left ({@link NodeStop}).
 */
record DrainTime(Duration time) {

  /** Below this the phases' shares (tens of milliseconds) leave none of them time to finish. */
  static final Duration MINIMUM = Duration.ofSeconds(1);

  /** The drain time when none is configured (application.conf); declared after MINIMUM, which its check reads. */
  static final DrainTime DEFAULT = new DrainTime(Duration.ofSeconds(10));

  /** Each CoordinatedShutdown phase's share of the drain time, in percent, in the order they run. */
  static final Map<String, Integer> PHASE_PERCENT = phases();

  /** The share of a phase that the list above does not name (a library's own phase). */
  static final int OTHER_PHASE_PERCENT = 1;

  /** What the phases above take together, at most. */
  static final int ACTOR_SYSTEM_PERCENT = PHASE_PERCENT.values().stream().mapToInt(Integer::intValue).sum();

  DrainTime {
    if (time == null || time.compareTo(MINIMUM) < 0) {
      throw new IllegalArgumentException("tugboat.drain-time (TUGBOAT_DRAIN_TIME) must be a duration of at least "
          + MINIMUM.toSeconds() + "s, got " + (time == null ? "none" : time.toMillis() + "ms"));
    }
  }

  static DrainTime fromConfig(Config config) {
    return new DrainTime(config.getDuration("tugboat.drain-time"));
  }

  /** A phase's timeout: its share of the drain time. */
  Duration phaseTimeout(String phase) {
    return share(PHASE_PERCENT.getOrDefault(phase, OTHER_PHASE_PERCENT));
  }

  /** {@code percent} % of the drain time. */
  Duration share(int percent) {
    return time.multipliedBy(percent).dividedBy(100);
  }

  /** Pekko's CoordinatedShutdown settings derived from the drain time, to lay over a node's configuration. */
  Config shutdownConfig() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("pekko.coordinated-shutdown.default-phase-timeout", millis(share(OTHER_PHASE_PERCENT)));
    for (String phase : PHASE_PERCENT.keySet()) {
      c.put("pekko.coordinated-shutdown.phases." + phase + ".timeout", millis(phaseTimeout(phase)));
    }
    return ConfigFactory.parseMap(c);
  }

  private static String millis(Duration d) {
    return d.toMillis() + "ms";
  }

  private static Map<String, Integer> phases() {
    Map<String, Integer> p = new LinkedHashMap<>();
    p.put("before-service-unbind", 1);
    p.put("service-unbind", 5);
    p.put("service-requests-done", 10);
    p.put("service-stop", 2);
    p.put("before-cluster-shutdown", 1);
    p.put("cluster-sharding-shutdown-region", 17);
    p.put("cluster-leave", 10);
    p.put("cluster-exiting", 20);
    p.put("cluster-exiting-done", 5);
    p.put("cluster-shutdown", 3);
    p.put("before-actor-system-terminate", 1);
    p.put("actor-system-terminate", 5);
    return java.util.Collections.unmodifiableMap(p);
  }
}
