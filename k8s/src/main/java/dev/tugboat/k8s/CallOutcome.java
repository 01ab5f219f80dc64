package dev.tugboat.k8s;

import java.time.Duration;

/** What one attempt of an API call came to, as the gateway's retry logic sees it. */
sealed interface CallOutcome {

  /** The call took effect; payload carries its result (log lines) when there is one. */
  record Done(String detail, Object payload) implements CallOutcome {}

  /** A transient failure: try again after at least retryAfter (zero: the backoff decides). */
  record Retryable(int httpStatus, String reason, Duration retryAfter) implements CallOutcome {}

  /** The call cannot succeed; retrying would not help. */
  record Fatal(int httpStatus, String reason) implements CallOutcome {}
}
