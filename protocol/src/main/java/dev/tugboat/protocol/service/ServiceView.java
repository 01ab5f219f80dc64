package dev.tugboat.protocol.service;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.TerminationStatus;
import java.time.Instant;
import java.util.List;

/** A read-only picture of one service (one model, one pod), as served over HTTP. */
public record ServiceView(
    String simulatorId,
    String simulationId,
    String modelId,
    String podName,
    String imageUrl,
    Phase phase,
    TerminationStatus terminationStatus,
    Integer exitCode,
    String reason,
    List<String> lastLogLines,
    Instant deleteAt,
    Instant updatedAt) implements CborSerializable {

  /**
   * The service lifecycle; see docs/state-machines.md for the transition table. QUEUED: waiting
   * for admission (pod limit or quota). HELD: a bounded retry ran out and configuration says to
   * hold the service for an operator instead of failing it.
   */
  public enum Phase { REQUESTED, QUEUED, CREATING, CREATED, RUNNING, TERMINATED, FAILED, HELD, DELETED }
}
