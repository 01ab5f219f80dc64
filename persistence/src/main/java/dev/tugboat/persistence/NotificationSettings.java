package dev.tugboat.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the notification projection, read once from {@code tugboat.notifications}: the tag
 * slices, whether simulations publish at once (the fast path), the group of events published before the offset is stored, the timeouts of its asks to
 * the notifier and the simulations, the restart backoff and the offset store's connection pool.
 */
public record NotificationSettings(
    NotificationTags tags,
    int groupSize,
    Duration groupWithin,
    Duration publishTimeout,
    Duration markTimeout,
    Duration restartMinBackoff,
    Duration restartMaxBackoff,
    int offsetStoreConnections,
    boolean fastPath) {

  public NotificationSettings {
    if (groupSize < 1) {
      throw new IllegalArgumentException("tugboat.notifications.group-size must be >= 1, got " + groupSize);
    }
    if (offsetStoreConnections < 1) {
      throw new IllegalArgumentException(
          "tugboat.notifications.offset-store-connections must be >= 1, got " + offsetStoreConnections);
    }
    requirePositive("group-within", groupWithin);
    requirePositive("publish-timeout", publishTimeout);
    requirePositive("mark-timeout", markTimeout);
    requirePositive("restart-min-backoff", restartMinBackoff);
    if (restartMaxBackoff == null || restartMaxBackoff.compareTo(restartMinBackoff) < 0) {
      throw new IllegalArgumentException("tugboat.notifications.restart-max-backoff must be >= restart-min-backoff");
    }
  }

  public static NotificationSettings fromConfig(Config config) {
    Config c = config.getConfig("tugboat.notifications");
    return new NotificationSettings(
        new NotificationTags(c.getInt("tag-count")),
        c.getInt("group-size"),
        c.getDuration("group-within"),
        c.getDuration("publish-timeout"),
        c.getDuration("mark-timeout"),
        c.getDuration("restart-min-backoff"),
        c.getDuration("restart-max-backoff"),
        c.getInt("offset-store-connections"),
        c.getBoolean("fast-path"));
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("tugboat.notifications." + name + " must be a positive duration, got " + d);
    }
  }
}
