package dev.tugboat.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvVarNamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"MQTT_HOST", "a", "_x", "-x", ".x", "a.b-c_D9", "x..y"})
  void acceptsNamesKubernetesAccepts(String name) {
    assertTrue(EnvVarNames.problem(name).isEmpty(), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1A", "A=B", "A B", ".", "..", "..x", "A\u0000", "Ä", "A\uD83D\uDE80"})
  void refusesNamesKubernetesRefuses(String name) {
    assertTrue(EnvVarNames.problem(name).isPresent(), name);
  }

  @org.junit.jupiter.api.Test
  void refusesOverlongNames() {
    assertTrue(EnvVarNames.problem("A".repeat(EnvVarNames.MAX_LENGTH + 1)).isPresent());
  }
}
