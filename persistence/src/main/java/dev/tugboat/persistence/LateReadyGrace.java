package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationState.Deployment;
import dev.tugboat.protocol.ExitCodes;
import java.time.Duration;

/**
 * The wait of a simulation whose models have all ended for their late ready reports. A model's
 * ReadyForProcessing comes over MQTT and its pod's end over the Kubernetes watch, so a model that
 * reports ready and exits at once can be seen ending first; were the simulation to end there, the
 * SO would never get the ModelsReady it was owed. So while ModelsReady is not queued and could
 * still be (every model not yet ready had a container that ran), AllModelsHaveTerminated is held for up to
 * late-ready-grace (0: never held). Whether the end is held is derived from the deployment; this
 * part only remembers that the timer of the wait was started, so it starts once per wait. Mutable
 * and confined to its entity's actor (no locks); in memory only: a recovered incarnation waits again.
 */
final class LateReadyGrace {
  private final Duration grace;
  private boolean started;

  LateReadyGrace(Duration grace) {
    this.grace = grace;
  }

  Duration grace() {
    return grace;
  }

  /** Whether the end of {@code d}, whose models have all ended, waits for late ready reports. */
  boolean holdsEnd(Deployment d) {
    return !d.modelsReadyQueued() && !grace.isZero() && readyStillPossible(d);
  }

  /**
   * Every model not ready yet had a container that ran, so it may have sent ReadyForProcessing
   * before it ended (none did without a pod, 125, or without its image, 200).
   */
  private static boolean readyStillPossible(Deployment d) {
    return d.models().stream().noneMatch(m -> !m.ready() && m.termination() != null
        && ExitCodes.neverRan(m.termination().exitCode()));
  }

  /** Whether {@code d} is waiting: every model ended and AllModelsHaveTerminated not queued. */
  static boolean waiting(Deployment d) {
    return d.allTerminated() && !d.allTerminatedQueued();
  }

  /** The wait begins: true when its timer is to be started now, false while one already runs. */
  boolean start() {
    if (started) {
      return false;
    }
    started = true;
    return true;
  }

  /** The timer fired: a later wait starts a timer again. */
  void over() {
    started = false;
  }
}
