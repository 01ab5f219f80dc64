package dev.tugboat.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MqttSettingsTest {

  private static MqttSettings load(String overrides) {
    Config config = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
    return MqttSettings.fromConfig(config);
  }

  @Test
  void defaultsMatchTheDotsMso() {
    MqttSettings s = load("");
    assertEquals("localhost", s.host());
    assertEquals(1883, s.port());
    assertEquals("", s.username());
    assertEquals("", s.password());
    assertEquals("dots-so", s.simulatorName());
    assertEquals("dots-so", s.so());
    assertTrue(s.clientId().startsWith("tugboat-") && s.clientId().length() > "tugboat-".length(), s.clientId());
    assertEquals(1, s.qos());
    assertEquals(1000, s.maxInflight());
    assertEquals(Duration.ofSeconds(30), s.keepAlive());
    assertEquals(Duration.ofSeconds(10), s.connectTimeout());
    assertEquals(Duration.ofSeconds(15), s.routeTimeout());
    assertEquals(20, s.routeAttempts());
    assertEquals(Duration.ofSeconds(30), s.publishTimeout());
    assertEquals("tcp://localhost:1883", s.serverUri());
  }

  @Test
  void overridesAndSoSegmentIsLowerCased() {
    MqttSettings s = load("tugboat.mqtt { host = broker, port = 11883, simulator-name = \"My-SO\", "
        + "client-id = node-a, max-inflight = 50 }");
    assertEquals("broker", s.host());
    assertEquals(11883, s.port());
    assertEquals("my-so", s.so());
    assertEquals("node-a", s.clientId());
    assertEquals(50, s.maxInflight());
  }

  @Test
  void toStringHidesThePassword() {
    MqttSettings s = load("tugboat.mqtt { username = alice, password = \"s3cr3t-value\" }");
    assertEquals("s3cr3t-value", s.password());
    assertFalse(s.toString().contains("s3cr3t-value"), s.toString());
    assertTrue(s.toString().contains("alice"));
  }

  @Test
  void invalidValuesFailAtStartUp() {
    assertThrows(IllegalArgumentException.class, () -> load("tugboat.mqtt.port = 0"));
    assertThrows(IllegalArgumentException.class, () -> load("tugboat.mqtt.qos = 3"));
    assertThrows(IllegalArgumentException.class, () -> load("tugboat.mqtt.simulator-name = \"a/b\""));
    assertThrows(IllegalArgumentException.class, () -> load("tugboat.mqtt.route-attempts = 0"));
    assertThrows(IllegalArgumentException.class, () -> load("tugboat.mqtt.max-inflight = 0"));
  }
}
