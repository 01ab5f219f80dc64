package dev.tugboat.persistence;

import com.typesafe.config.Config;
import dev.tugboat.protocol.DeployLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Timing and bounds of the Simulation and Service entities, read once from {@code tugboat.entities}.
 * createWindow: Creates a simulation has sent and not had answered, at most. The clock is injectable so tests control time; production uses the system UTC clock. holdOnFailure:
 * a creation whose bounded retries ran out is HELD for an operator (Retry/Abandon) instead of FAILED.
 * deletedLinger: how long a deleted, acknowledged service waits for its pod's deletion to be seen
 * before it stops anyway (a stopped service that a late watch event reaches is recovered in vain).
 * lateReadyGrace: once every model has ended while some never reported ready (their
 * ReadyForProcessing may still be on its way over MQTT), how long AllModelsHaveTerminated waits
 * for those reports so that ModelsReady, if every model did report, goes out before it (0: no wait).
 * limits: the bounds of a DeployModels ({@code tugboat.limits}).
 * endedRetention: how long an ended or rejected simulation (and, once their pods are deleted, its
 * services) stays in the journal after its end before it is removed (docs/operations.md).
 * imagePullGrace: how long a pod's container may wait for an image it cannot pull (ErrImagePull,
 * ImagePullBackOff, ...) before its model is reported FAILED (200).
 * endedIdle: how long an ended simulation with nothing left to deliver stays in memory after its
 * end or its last read before it passivates (0: at once), so that reads of it do not each restart it.
 */
public record EntitySettings(
    Duration simulationTick,
    Duration serviceTick,
    Duration createRetryAfter,
    int createMaxAttempts,
    Duration podMissingGrace,
    int logTailLines,
    Duration reportRetry,
    Duration askTimeout,
    int deleteMaxAttempts,
    Duration lostNodeGrace,
    boolean holdOnFailure,
    int simulationSnapshotEvery,
    int createWindow,
    Duration deletedLinger,
    Duration lateReadyGrace,
    DeployLimits limits,
    Duration endedRetention,
    Duration imagePullGrace,
    Duration endedIdle,
    Clock clock) {

  public EntitySettings {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(limits, "limits");
    requirePositive("simulation-tick", simulationTick);
    requirePositive("service-tick", serviceTick);
    requirePositive("create-retry-after", createRetryAfter);
    requirePositive("pod-missing-grace", podMissingGrace);
    requirePositive("report-retry", reportRetry);
    requirePositive("ask-timeout", askTimeout);
    requirePositive("lost-node-grace", lostNodeGrace);
    requirePositive("deleted-linger", deletedLinger);
    requirePositive("ended-retention", endedRetention);
    requirePositive("image-pull-grace", imagePullGrace);
    if (endedIdle == null || endedIdle.isNegative()) {
      throw new IllegalArgumentException(
          "tugboat.entities.ended-idle must be a duration >= 0 (0 = passivate at once), got " + endedIdle);
    }
    if (lateReadyGrace == null || lateReadyGrace.isNegative()) {
      throw new IllegalArgumentException(
          "tugboat.entities.late-ready-grace must be a duration >= 0 (0 = no wait), got " + lateReadyGrace);
    }
    if (simulationSnapshotEvery < 1) {
      throw new IllegalArgumentException("tugboat.entities.simulation-snapshot-every must be >= 1");
    }
    if (createWindow < 1) {
      throw new IllegalArgumentException("tugboat.entities.create-window must be >= 1");
    }
    if (createMaxAttempts < 1 || deleteMaxAttempts < 1 || logTailLines < 0) {
      throw new IllegalArgumentException(
          "tugboat.entities: create-max-attempts and delete-max-attempts must be >= 1,"
              + " log-tail-lines >= 0");
    }
  }

  /** Reads {@code tugboat.entities} with the system UTC clock. */
  public static EntitySettings fromConfig(Config config) {
    Config c = config.getConfig("tugboat.entities");
    return new EntitySettings(
        c.getDuration("simulation-tick"),
        c.getDuration("service-tick"),
        c.getDuration("create-retry-after"),
        c.getInt("create-max-attempts"),
        c.getDuration("pod-missing-grace"),
        c.getInt("log-tail-lines"),
        c.getDuration("report-retry"),
        c.getDuration("ask-timeout"),
        c.getInt("delete-max-attempts"),
        c.getDuration("lost-node-grace"),
        c.getBoolean("hold-on-failure"),
        c.getInt("simulation-snapshot-every"),
        c.getInt("create-window"),
        c.getDuration("deleted-linger"),
        c.getDuration("late-ready-grace"),
        DeployLimits.fromConfig(config),
        c.getDuration("ended-retention"),
        c.getDuration("image-pull-grace"),
        c.getDuration("ended-idle"),
        Clock.systemUTC());
  }

  /** The same settings on another clock (tests). */
  public EntitySettings withClock(Clock newClock) {
    return new EntitySettings(simulationTick, serviceTick, createRetryAfter, createMaxAttempts, podMissingGrace,
        logTailLines, reportRetry, askTimeout, deleteMaxAttempts, lostNodeGrace, holdOnFailure,
        simulationSnapshotEvery, createWindow, deletedLinger,
        lateReadyGrace, limits, endedRetention, imagePullGrace, endedIdle, newClock);
  }

  /** The same settings with hold-on-failure switched (tests). */
  public EntitySettings withHoldOnFailure(boolean hold) {
    return new EntitySettings(simulationTick, serviceTick, createRetryAfter, createMaxAttempts, podMissingGrace,
        logTailLines, reportRetry, askTimeout, deleteMaxAttempts, lostNodeGrace, hold,
        simulationSnapshotEvery, createWindow, deletedLinger,
        lateReadyGrace, limits, endedRetention, imagePullGrace, endedIdle, clock);
  }

  /** The same settings with another create window (tests). */
  public EntitySettings withCreateWindow(int window) {
    return new EntitySettings(simulationTick, serviceTick, createRetryAfter, createMaxAttempts, podMissingGrace,
        logTailLines, reportRetry, askTimeout, deleteMaxAttempts, lostNodeGrace, holdOnFailure,
        simulationSnapshotEvery, window, deletedLinger, lateReadyGrace, limits, endedRetention, imagePullGrace,
        endedIdle, clock);
  }

  /** The same settings with other deployment limits (tests). */
  public EntitySettings withLimits(DeployLimits newLimits) {
    return new EntitySettings(simulationTick, serviceTick, createRetryAfter, createMaxAttempts, podMissingGrace,
        logTailLines, reportRetry, askTimeout, deleteMaxAttempts, lostNodeGrace, holdOnFailure,
        simulationSnapshotEvery, createWindow, deletedLinger,
        lateReadyGrace, newLimits, endedRetention, imagePullGrace, endedIdle, clock);
  }

  /** The same settings with another late-ready grace (tests). */
  public EntitySettings withLateReadyGrace(Duration grace) {
    return new EntitySettings(simulationTick, serviceTick, createRetryAfter, createMaxAttempts, podMissingGrace,
        logTailLines, reportRetry, askTimeout, deleteMaxAttempts, lostNodeGrace, holdOnFailure,
        simulationSnapshotEvery, createWindow, deletedLinger, grace, limits, endedRetention, imagePullGrace,
        endedIdle, clock);
  }

  /** The same settings with another ended-retention (tests). */
  public EntitySettings withEndedRetention(Duration retention) {
    return new EntitySettings(simulationTick, serviceTick, createRetryAfter, createMaxAttempts, podMissingGrace,
        logTailLines, reportRetry, askTimeout, deleteMaxAttempts, lostNodeGrace, holdOnFailure,
        simulationSnapshotEvery, createWindow, deletedLinger, lateReadyGrace, limits, retention, imagePullGrace,
        endedIdle, clock);
  }

  /** The same settings with another ended-idle (tests). */
  public EntitySettings withEndedIdle(Duration idle) {
    return new EntitySettings(simulationTick, serviceTick, createRetryAfter, createMaxAttempts, podMissingGrace,
        logTailLines, reportRetry, askTimeout, deleteMaxAttempts, lostNodeGrace, holdOnFailure,
        simulationSnapshotEvery, createWindow, deletedLinger, lateReadyGrace, limits, endedRetention, imagePullGrace,
        idle, clock);
  }

  /** The same settings with another image-pull grace (tests). */
  public EntitySettings withImagePullGrace(Duration grace) {
    return new EntitySettings(simulationTick, serviceTick, createRetryAfter, createMaxAttempts, podMissingGrace,
        logTailLines, reportRetry, askTimeout, deleteMaxAttempts, lostNodeGrace, holdOnFailure,
        simulationSnapshotEvery, createWindow, deletedLinger, lateReadyGrace, limits, endedRetention, grace,
        endedIdle, clock);
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("tugboat.entities." + name + " must be a positive duration, got " + d);
    }
  }
}
