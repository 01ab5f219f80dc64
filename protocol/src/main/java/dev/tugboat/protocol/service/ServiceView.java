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

  /** The service lifecycle; see docs/architecture.md for the transition table. */
  public enum Phase { REQUESTED, CREATING, CREATED, RUNNING, TERMINATED, FAILED, DELETED }
}
