package dev.tugboat.persistence;

import dev.tugboat.protocol.TerminationStatus;

/** One model's end as its simulation learns it (a report, a refused Create, a deadline), before it is journaled. */
record ModelEnd(String modelId, TerminationStatus status, int exitCode, String reason) {}
