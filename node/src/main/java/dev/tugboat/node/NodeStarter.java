package dev.tugboat.node;

import com.typesafe.config.Config;

/**
 * How {@code run} starts its node from configuration overrides (layered over application.conf
 * as in {@link TugboatNode#loadConfig}). The production jar's is {@link #PRODUCTION}; tugboat-demo
 * gives {@code run} one that also starts the embedded mode's broker and simulated Kubernetes.
 */
@FunctionalInterface
public interface NodeStarter {

  /**
   * Every part from the settings; the embedded mode and the simulated Kubernetes are refused
   * ({@link StartRefused}), since this jar carries neither.
   */
  NodeStarter PRODUCTION = overrides -> TugboatNode.start(TugboatNode.loadConfig(overrides));

  /** Starts the node; returns once it serves HTTP, or throws with the reason it cannot. */
  TugboatNode start(Config overrides) throws Exception;
}
