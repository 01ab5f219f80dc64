package dev.tugboat.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.k8s.KubernetesSettings;
import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.mqtt.sim.EmbeddedBroker;
import dev.tugboat.node.NodeSettings;
import dev.tugboat.node.TugboatNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded mode: a node with an embedded broker ({@code tugboat.embedded}) and the simulated
 * Kubernetes ({@code tugboat.kubernetes.simulated}) started beside it and stopped after it; and a
 * production-mode node with {@code tugboat.kubernetes.mode = simulated}, which gets the simulated
 * Kubernetes only. {@link #startNode} starts tugboat-demo's {@code run}; {@code run --embedded} is
 * the embedded mode, whose broker listens on MQTT_PORT ({@code tugboat.mqtt.port}) when set.
 */
final class EmbeddedMode {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedMode.class);

  private EmbeddedMode() {}

  /** A node and the simulated Kubernetes started for it; closing the node stops both (and the broker). */
  record EmbeddedNode(TugboatNode node, SimulatedKubernetes kubernetes) implements AutoCloseable {
    /** The host the node's bridge reaches the broker at, for the fake models and the simulated SO. */
    String mqttHost() {
      return node.bridge().settings().host();
    }

    @Override
    public void close() {
      node.close();
    }
  }

  /**
   * The node {@code run} serves: in the embedded mode or on the simulated Kubernetes with what
   * they need started first; otherwise as the production jar starts it.
   */
  static TugboatNode startNode(Config overrides) throws Exception {
    Config config = loadConfig(overrides);
    if (!NodeSettings.fromConfig(config).embedded()
        && KubernetesSettings.fromConfig(config).mode() != KubernetesSettings.Mode.SIMULATED) {
      return TugboatNode.start(config);
    }
    return start(config).node();
  }

  /**
   * {@link TugboatNode#loadConfig}, and in the embedded mode the bridge pointed at the embedded
   * broker and Kubernetes simulated, under the overrides as every default is.
   */
  static Config loadConfig(Config overrides) {
    // reference.conf unresolved, so that the broker's port follows tugboat.mqtt.port as set by the
    // overrides (run --mqtt-port) too, not only as reference.conf and MQTT_PORT set it.
    Config plain = ConfigFactory.load(overrides.withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.defaultReferenceUnresolved()));
    if (!NodeSettings.fromConfig(plain).embedded()) {
      return TugboatNode.loadConfig(overrides);
    }
    EmbeddedSettings embedded = EmbeddedSettings.fromConfig(plain);
    return TugboatNode.loadConfig(overrides.withFallback(ConfigFactory.parseMap(Map.of(
        "tugboat.embedded.mqtt-port", embedded.mqttPort(),
        "tugboat.mqtt.host", embedded.mqttHost(),
        "tugboat.mqtt.port", embedded.mqttPort(),
        "tugboat.kubernetes.mode", "simulated"))));
  }

  /**
   * Starts the simulated Kubernetes (and in the embedded mode the broker first), then the node
   * on them; blocks until the node serves HTTP. What was started is stopped again if the node
   * cannot start.
   */
  static EmbeddedNode start(Config config) throws Exception {
    NodeSettings settings = NodeSettings.fromConfig(config);
    List<AutoCloseable> started = new ArrayList<>();
    SimulatedKubernetes kubernetes;
    try {
      if (settings.embedded()) {
        EmbeddedSettings embedded = EmbeddedSettings.fromConfig(config);
        log.info("embedded mode: starting the embedded MQTT broker on {}:{} and the simulated Kubernetes",
            embedded.mqttHost(), embedded.mqttPort());
        started.add(EmbeddedBroker.start(embedded.mqttHost(), embedded.mqttPort(),
            settings.dataDir().resolve("broker")));
      }
      kubernetes = SimulatedKubernetes.start(SimulatedKubernetesSettings.fromConfig(config));
      started.add(kubernetes);
    } catch (RuntimeException | Error e) {
      stop(started);
      throw e;
    }
    return new EmbeddedNode(TugboatNode.start(config, Optional.of(kubernetes.client()), started), kubernetes);
  }

  private static void stop(List<AutoCloseable> started) {
    List<AutoCloseable> reversed = new ArrayList<>(started);
    Collections.reverse(reversed);
    for (AutoCloseable c : reversed) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("while stopping the embedded mode: {}", e.toString());
      }
    }
  }
}
