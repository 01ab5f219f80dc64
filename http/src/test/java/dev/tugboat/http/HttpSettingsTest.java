package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpSettingsTest {

  private static Config withOverrides(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void referenceDefaults() {
    HttpSettings settings = HttpSettings.fromConfig(ConfigFactory.defaultReference().resolve());

    assertEquals("127.0.0.1", settings.interfaceAddress());
    assertEquals(8080, settings.port());
    assertEquals(Duration.ofSeconds(5), settings.askTimeout());
    assertEquals(Duration.ofSeconds(10), settings.terminationDeadline());
  }

  @Test
  void overridesAreRead() {
    HttpSettings settings = HttpSettings.fromConfig(withOverrides(
        "tugboat.http { interface = \"0.0.0.0\", port = \"9090\", ask-timeout = 250ms, termination-deadline = 0s }"));

    assertEquals("0.0.0.0", settings.interfaceAddress());
    assertEquals(9090, settings.port());
    assertEquals(Duration.ofMillis(250), settings.askTimeout());
    assertEquals(Duration.ZERO, settings.terminationDeadline());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "tugboat.http.port = 65536 | port",
      "tugboat.http.port = -1 | port",
      "tugboat.http.interface = \"\" | interface",
      "tugboat.http.ask-timeout = 0s | ask-timeout",
      "tugboat.http.termination-deadline = -1s | termination-deadline"})
  void invalidSettingsFailAtStartUp(String hocon, String named) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HttpSettings.fromConfig(withOverrides(hocon)));
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }
}
