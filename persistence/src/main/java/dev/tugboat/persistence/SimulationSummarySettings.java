package dev.tugboat.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the simulation list's read model, read once from {@code tugboat.simulation-summary}:
 * the group of events applied in one transaction, the projection's pool and its restart backoff.
 */
public record SimulationSummarySettings(int groupSize, Duration groupWithin, int connections,
    Duration restartMinBackoff, Duration restartMaxBackoff) {

  public SimulationSummarySettings {
    if (groupSize < 1) {
      throw new IllegalArgumentException("tugboat.simulation-summary.group-size must be >= 1, got " + groupSize);
    }
    if (connections < 1) {
      throw new IllegalArgumentException("tugboat.simulation-summary.connections must be >= 1, got " + connections);
    }
    for (Duration d : new Duration[] {groupWithin, restartMinBackoff}) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(
            "tugboat.simulation-summary.group-within and restart-min-backoff must be positive, got " + d);
      }
    }
    if (restartMaxBackoff == null || restartMaxBackoff.compareTo(restartMinBackoff) < 0) {
      throw new IllegalArgumentException(
          "tugboat.simulation-summary.restart-max-backoff must be >= restart-min-backoff");
    }
  }

  public static SimulationSummarySettings fromConfig(Config config) {
    Config c = config.getConfig("tugboat.simulation-summary");
    return new SimulationSummarySettings(c.getInt("group-size"), c.getDuration("group-within"),
        c.getInt("connections"), c.getDuration("restart-min-backoff"), c.getDuration("restart-max-backoff"));
  }
}
