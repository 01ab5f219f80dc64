package dev.tugboat.protocol.hosted;

/**
 * The status of a hosted service, of one of its replicas or of one container, in the order of
 * osparc's merge rule: a merged status is the lowest of its parts' (one replica failed and one
 * running is FAILED; one pulling and one running is PULLING).
 */
public enum HostedStatus {
  FAILED, PENDING, PULLING, STARTING, RUNNING, STOPPING, COMPLETE;

  /** The lower of the two. */
  public HostedStatus lowest(HostedStatus other) {
    return other.ordinal() < ordinal() ? other : this;
  }
}
