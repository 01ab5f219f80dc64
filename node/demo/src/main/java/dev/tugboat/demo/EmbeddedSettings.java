package dev.tugboat.demo;

import com.typesafe.config.Config;

/** Where the embedded mode's broker listens ({@code tugboat.embedded}); the bridge and the fake models connect there. */
record EmbeddedSettings(String mqttHost, int mqttPort) {

  static EmbeddedSettings fromConfig(Config config) {
    Config c = config.getConfig("tugboat.embedded");
    return new EmbeddedSettings(c.getString("mqtt-host"), c.getInt("mqtt-port"));
  }
}
