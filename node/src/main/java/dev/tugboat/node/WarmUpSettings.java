package dev.tugboat.node;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * What a node runs once before it says ready so that its first simulation goes as fast as later
 * ones ({@code tugboat.warm-up}): dry-run pod creates the Kubernetes gateway runs as its first calls
 * ({@link dev.tugboat.k8s.KubernetesWarmUp}) and empty recoveries plus a serialization round trip
 * on the journal ({@link dev.tugboat.persistence.JournalWarmUp}). Neither creates a pod, writes
 * to the journal or publishes.
 */
record WarmUpSettings(boolean enabled, int kubernetesRounds, int journalRecoveries, Duration timeout) {

  WarmUpSettings {
    if (kubernetesRounds < 0 || journalRecoveries < 0 || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("tugboat.warm-up: rounds and recoveries must not be negative, timeout positive");
    }
  }

  static WarmUpSettings fromConfig(Config config) {
    Config c = config.getConfig("tugboat.warm-up");
    return new WarmUpSettings(c.getBoolean("enabled"), c.getInt("kubernetes-rounds"), c.getInt("journal-recoveries"),
        c.getDuration("timeout"));
  }
}
