package dev.tugboat.k8s;

import java.util.Optional;

/**
 * Whether the gateway's pod informer is synced, readable from any thread (a readiness probe)
 * without asking the gateway: the gateway actor alone writes it, when its current informer syncs
 * and when it stops. Not synced until the first sync.
 */
public final class PodInformerStatus {

  /** Null while synced; otherwise why not. */
  private volatile String problem = "the pod informer has not synced yet";

  /** Empty while the informer is synced; otherwise why it is not. */
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  void synced() {
    problem = null;
  }

  void notSynced(String why) {
    problem = why;
  }
}
