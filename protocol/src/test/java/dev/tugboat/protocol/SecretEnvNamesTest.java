package dev.tugboat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretEnvNamesTest {

  @ParameterizedTest(name = "{0} secret: {1}")
  @CsvSource({
      "MQTT_PASSWORD, true",
      "mqtt_password, true",
      "Mqtt_Password_File, true",
      "PASSWORD, true",
      "API_TOKEN, true",
      "token, true",
      "CLIENT_SECRET, true",
      "AWS_SECRET_ACCESS_KEY, true",
      "SSH_KEY, true",
      "KEYCLOAK_URL, true",
      "MQTT_HOST, false",
      "MQTT_PORT, false",
      "MQTT_USERNAME, false",
      "SIMULATION_ID, false",
      "MODEL_ID, false",
      "PASSWD, false",
      "EXIT_CODE, false"})
  void defaultPatterns(String name, boolean secret) {
    assertEquals(secret, SecretEnvNames.DEFAULT.isSecret(name));
  }

  @Test
  void referenceConfHasTheDefaultPatterns() {
    assertEquals(SecretEnvNames.DEFAULT_PATTERNS, SecretEnvNames.fromConfig(ConfigFactory.load()).patterns());
  }

  @Test
  void aCommaSeparatedListAsAnEnvironmentVariableGivesIt() {
    SecretEnvNames names = SecretEnvNames.fromConfig(ConfigFactory.parseMap(
        Map.of("tugboat.secrets.env-name-patterns", " MQTT_PASSWORD , DB_?ASS ,")));
    assertEquals(List.of("MQTT_PASSWORD", "DB_?ASS"), names.patterns());
    assertEquals(true, names.isSecret("mqtt_password"));
    assertEquals(false, names.isSecret("MQTT_PASSWORD_2"));
    assertEquals(true, names.isSecret("DB_PASS"));
    assertEquals(false, names.isSecret("API_TOKEN"));
  }

  @Test
  void regexCharactersInAPatternAreLiteral() {
    SecretEnvNames names = new SecretEnvNames(List.of("A.B*"));
    assertEquals(true, names.isSecret("A.B_C"));
    assertEquals(false, names.isSecret("AXB_C"));
  }
}
