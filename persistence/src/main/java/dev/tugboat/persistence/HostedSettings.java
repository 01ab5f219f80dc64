package dev.tugboat.persistence;

import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Duration;

/**
 * Timing and bounds of the hosted services' entities, read once from {@code tugboat.hosted}
 * (reference.conf says why each is what it is). imagePullGrace: how long a replica's container may
 * wait for an image it cannot pull before the replica counts as failed. The clock is injectable so
 * tests control time.
 */
public record HostedSettings(
    Duration tick,
    Duration createRetryAfter,
    RestartBackoff backoff,
    double scaleUpAt,
    Duration loadStaleAfter,
    Duration askTimeout,
    int maxReplicas,
    Duration imagePullGrace,
    Clock clock) {

  public static HostedSettings fromConfig(Config config) {
    Config c = config.getConfig("tugboat.hosted");
    return new HostedSettings(c.getDuration("tick"), c.getDuration("create-retry-after"),
        new RestartBackoff(c.getDuration("first-backoff"), c.getDuration("max-backoff"), c.getInt("max-restarts"),
            c.getDuration("failure-reset-after")),
        c.getDouble("scale-up-at"), c.getDuration("load-stale-after"), c.getDuration("ask-timeout"),
        c.getInt("max-replicas"), c.getDuration("image-pull-grace"), Clock.systemUTC());
  }
}
