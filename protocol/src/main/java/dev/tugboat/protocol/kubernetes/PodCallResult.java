package dev.tugboat.protocol.kubernetes;

import dev.tugboat.protocol.CborSerializable;

/**
 * Outcome of a create or delete call, after the gateway's retries. Succeeded and Failed are
 * final; Queued is an interim notice for a create that waits in the admission queue (the final
 * outcome follows when it is admitted).
 */
public sealed interface PodCallResult extends CborSerializable {

  String podName();

  /** The call took effect (or its effect was already there: 409 on create, 404 on delete). */
  record Succeeded(String podName, String detail) implements PodCallResult {}

  /**
   * The call cannot succeed: refused by Kubernetes (e.g. 400/403/422) or every retry failed
   * before the deadline. httpStatus is 0 when no HTTP answer was had.
   */
  record Failed(String podName, int httpStatus, String reason) implements PodCallResult {}

  /**
   * The create waits in the gateway's FIFO admission queue (concurrent-pod limit reached: a
   * configured cap, or a quota learnt from "exceeded quota" answers). position is 1-based.
   */
  record Queued(String podName, int position, String reason) implements PodCallResult {}
}
