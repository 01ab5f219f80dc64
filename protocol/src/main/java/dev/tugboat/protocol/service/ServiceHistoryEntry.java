package dev.tugboat.protocol.service;

import dev.tugboat.protocol.TerminationStatus;
import java.time.Instant;

/**
 * One step of a service's history as served over HTTP ({@code GET .../services/{modelId}/events}):
 * when it happened, what it was, and the details that kind of step has; every other field is null.
 * A stable contract (docs/http-api.md): types and fields are added, never renamed or reused.
 *
 * @param podName the pod the step concerns (REQUESTED, CREATING, QUEUED, CREATED, RUNNING, HELD,
 *     RETRIED, TERMINATED, FAILED, DELETED, DELETION_ABANDONED)
 * @param position the 1-based place in the admission queue (QUEUED)
 * @param status how the model ended (TERMINATED, FAILED)
 * @param exitCode the container's exit code, or Tugboat's for a pod lost or never created (TERMINATED, FAILED)
 * @param reason why (QUEUED, HELD, TERMINATED, FAILED, REPORTED when refused, DELETION_ABANDONED)
 * @param accepted whether the simulation accepted the termination report (REPORTED)
 */
public record ServiceHistoryEntry(
    Instant at,
    Type type,
    String podName,
    Integer position,
    TerminationStatus status,
    Integer exitCode,
    String reason,
    Boolean accepted) {

  /** The kinds of step, in the order a service's life passes them. */
  public enum Type {
    /** The simulation asked for the model to run. */
    REQUESTED,
    /** CreatePod was handed to the Kubernetes gateway. */
    CREATING,
    /** The gateway queued the CreatePod for admission (pod cap or quota). */
    QUEUED,
    /** Creation ran out of its bounded retries; held for an operator (hold-on-failure). */
    HELD,
    /** An operator's retry released a held service; creation starts again. */
    RETRIED,
    /** The pod exists in the API server. */
    CREATED,
    /** The model container runs. */
    RUNNING,
    /** The model published ReadyForProcessing (from the simulation's journal). */
    READY,
    /** The model container ended, or the pod was lost. */
    TERMINATED,
    /** The pod could not be created, or an operator abandoned it. */
    FAILED,
    /** The simulation answered the termination report. */
    REPORTED,
    /** The pod was deleted after its retention time. */
    DELETED,
    /** Deleting the pod failed every attempt; the pod may still exist. */
    DELETION_ABANDONED
  }

  /** A step with no details beyond its pod. */
  public static ServiceHistoryEntry of(Instant at, Type type, String podName) {
    return new ServiceHistoryEntry(at, type, podName, null, null, null, null, null);
  }
}
