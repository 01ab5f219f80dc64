package dev.tugboat.protocol;

import com.typesafe.config.Config;

/**
 * The bounds every DeployModels must keep, whichever door it comes through, checked before any
 * work is done for it: its encoded size, its model count, each model's environment (count and
 * value size) and the retention it asks for. Read once from {@code tugboat.limits}.
 */
public record DeployLimits(
    long maxMessageBytes,
    int maxModels,
    int maxEnvVars,
    int maxEnvValueBytes,
    double maxKeepLogsHours) {

  public DeployLimits {
    require(maxMessageBytes >= 1024, "tugboat.limits.max-message-bytes must be at least 1 KiB, got " + maxMessageBytes);
    require(maxModels >= 1, "tugboat.limits.max-models must be at least 1, got " + maxModels);
    require(maxEnvVars >= 0, "tugboat.limits.max-env-vars must be >= 0, got " + maxEnvVars);
    require(maxEnvValueBytes >= 0, "tugboat.limits.max-env-value-bytes must be >= 0, got " + maxEnvValueBytes);
    require(Double.isFinite(maxKeepLogsHours) && maxKeepLogsHours >= 0,
        "tugboat.limits.max-keep-logs-hours must be a finite number >= 0, got " + maxKeepLogsHours);
  }

  /** The limits a node runs with when nothing is configured (the values of reference.conf). */
  public static final DeployLimits DEFAULT = new DeployLimits(8L << 20, 10_000, 256, 32 * 1024, 8760);

  /** Reads {@code tugboat.limits}. */
  public static DeployLimits fromConfig(Config config) {
    Config c = config.getConfig("tugboat.limits");
    return new DeployLimits(
        c.getBytes("max-message-bytes"),
        c.getInt("max-models"),
        c.getInt("max-env-vars"),
        (int) Math.min(Integer.MAX_VALUE, c.getBytes("max-env-value-bytes")),
        c.getDouble("max-keep-logs-hours"));
  }

  /** The reason a message of {@code bytes} is too large, or empty when it fits. */
  public java.util.Optional<String> messageSizeProblem(long bytes) {
    return bytes > maxMessageBytes
        ? java.util.Optional.of("the message has " + bytes + " bytes, more than the limit of " + maxMessageBytes
            + " (tugboat.limits.max-message-bytes)")
        : java.util.Optional.empty();
  }

  /** The reason {@code count} models are too many, or empty when they fit. */
  public java.util.Optional<String> modelCountProblem(int count) {
    return count > maxModels
        ? java.util.Optional.of(count + " models, more than the limit of " + maxModels + " per simulation"
            + " (TUGBOAT_MAX_MODELS)")
        : java.util.Optional.empty();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
