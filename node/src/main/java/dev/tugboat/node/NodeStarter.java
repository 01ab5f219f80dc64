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
   * Every part from the settings, always in the production mode; the embedded mode and the
   * simulated Kubernetes are refused ({@link StartRefused}), since this jar carries neither.
   */
  NodeStarter PRODUCTION = overrides -> TugboatNode.start(TugboatNode.loadConfig(overrides));

  /** Starts the node; returns once it serves HTTP, or throws with the reason it cannot. */
  TugboatNode start(Config overrides) throws Exception;

  /** True when {@code run} was asked for the embedded mode ({@code run --embedded}, tugboat-demo.jar only). */
  default boolean embedded() {
    return false;
  }

  /** True when this jar carries the simulated Kubernetes ({@code KUBERNETES_MODE=simulated}). */
  default boolean carriesSimulatedKubernetes() {
    return false;
  }
}
