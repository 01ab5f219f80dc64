package dev.tugboat.k8s;

import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodLogResult;
import java.time.Duration;
import java.util.List;

/** What one attempt of an API call came to, as the gateway's retry logic sees it. */
sealed interface CallOutcome {

  /** The call took effect; payload carries its result (log lines) when there is one. */
  record Done(String detail, Object payload) implements CallOutcome {}

  /** A transient failure: try again after at least retryAfter (zero: the backoff decides). */
  record Retryable(int httpStatus, String reason, Duration retryAfter) implements CallOutcome {}

  /** The call cannot succeed; retrying would not help. */
  record Fatal(int httpStatus, String reason) implements CallOutcome {}

  /** The final outcome of a create or delete of this pod, as its askers are told it. */
  default PodCallResult toCallResult(String podName) {
    if (this instanceof Done d) {
      return new PodCallResult.Succeeded(podName, d.detail());
    }
    if (this instanceof Fatal f) {
      return new PodCallResult.Failed(podName, f.httpStatus(), f.reason());
    }
    Retryable r = (Retryable) this;
    return new PodCallResult.Failed(podName, r.httpStatus(), r.reason());
  }

  /** The final outcome of a log read of this pod, as its asker is told it. */
  @SuppressWarnings("unchecked")
  default PodLogResult toLogResult(String podName) {
    if (this instanceof Done d) {
      return new PodLogResult.Lines(podName, (List<String>) d.payload());
    }
    if (this instanceof Fatal f) {
      return new PodLogResult.Unavailable(podName, (f.httpStatus() == 0 ? "" : "HTTP " + f.httpStatus() + ": ") + f.reason());
    }
    Retryable r = (Retryable) this;
    return new PodLogResult.Unavailable(podName, "HTTP " + r.httpStatus() + ": " + r.reason());
  }
}
