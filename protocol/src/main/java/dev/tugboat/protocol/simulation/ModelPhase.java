package dev.tugboat.protocol.simulation;

import dev.tugboat.protocol.TerminationStatus;

/**
 * Where one model of a simulation stands, as its simulation sees it: the phase the simulation
 * view shows per model and the simulation list counts.
 */
public enum ModelPhase {
  /** Deployed; its service has not accepted the Create yet. */
  REQUESTED,
  /** Its service accepted the Create: the pod is being created or runs, ReadyForProcessing not seen yet. */
  STARTING,
  /** The model published ReadyForProcessing. */
  READY,
  /** The model ended with exit code 0. */
  SUCCEEDED,
  /** The model ended otherwise (or never ran). */
  FAILED;

  /** The phase of a model from what its simulation journaled about it; an end outranks everything else. */
  public static ModelPhase of(boolean createAccepted, boolean ready, TerminationStatus ended) {
    if (ended != null) {
      return ended == TerminationStatus.SUCCEEDED ? SUCCEEDED : FAILED;
    }
    if (ready) {
      return READY;
    }
    return createAccepted ? STARTING : REQUESTED;
  }
}
