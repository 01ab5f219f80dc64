package dev.tugboat.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The embedded mode's configuration: the bridge points at the embedded broker and Kubernetes is
 * simulated, under the caller's overrides; the production mode is left as the production jar
 * loads it.
 */
class EmbeddedModeTest {

  private static Config load(Map<String, Object> extra) throws Exception {
    Map<String, Object> m = new HashMap<>(Map.of(
        "tugboat.data-dir", Files.createTempDirectory("tugboat-embedded-mode").toString(),
        "pekko.remote.artery.canonical.port", 0));
    m.putAll(extra);
    return EmbeddedMode.loadConfig(ConfigFactory.parseMap(m));
  }

  @Test
  void theEmbeddedModeConnectsTheBridgeToTheEmbeddedBrokerOnTheSimulatedKubernetes() throws Exception {
    Config config = load(Map.of("tugboat.mode", "embedded", "tugboat.embedded.mqtt-port", 18830,
        "tugboat.kubernetes.simulated.model-run-time", "3s"));
    assertEquals("127.0.0.1", config.getString("tugboat.mqtt.host"));
    assertEquals(18830, config.getInt("tugboat.mqtt.port"));
    assertEquals("simulated", config.getString("tugboat.kubernetes.mode"));
    assertEquals(Duration.ofSeconds(3), SimulatedKubernetesSettings.fromConfig(config).modelRunTime());
  }

  @Test
  void theCallersOverridesWinOverTheEmbeddedDefaults() throws Exception {
    Config config = load(Map.of("tugboat.mode", "embedded", "tugboat.mqtt.port", 18839));
    assertEquals(18839, config.getInt("tugboat.mqtt.port"));
  }

  @Test
  void theEmbeddedBrokerListensOnTheBridgesPortWhenItIsSet() throws Exception {
    // tugboat.mqtt.port is what MQTT_PORT and run --mqtt-port set.
    Config config = load(Map.of("tugboat.mode", "embedded", "tugboat.mqtt.port", 18841));
    assertEquals(18841, EmbeddedSettings.fromConfig(config).mqttPort());
    assertEquals(18841, config.getInt("tugboat.mqtt.port"));
  }

  @Test
  void theProductionModeIsLoadedAsTheProductionJarLoadsIt() throws Exception {
    Config config = load(Map.of("tugboat.mode", "production", "tugboat.kubernetes.mode", "kubeconfig"));
    assertEquals("kubeconfig", config.getString("tugboat.kubernetes.mode"));
    assertEquals(1883, config.getInt("tugboat.mqtt.port"));
  }
}
