package dev.tugboat.node;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * How this node is assembled. In the embedded mode it also starts an embedded broker and the
 * simulated Kubernetes; in production it uses what tugboat.mqtt and tugboat.kubernetes name.
 */
public record NodeSettings(
    Mode mode, Path dataDir, String embeddedMqttHost, int embeddedMqttPort, int fakeModelRunSeconds) {

  /** Embedded runs everything in one process; production talks to real services. */
  public enum Mode { EMBEDDED, PRODUCTION }

  public static NodeSettings fromConfig(Config config) {
    Config t = config.getConfig("tugboat");
    String mode = t.getString("mode").trim().toUpperCase(java.util.Locale.ROOT);
    Mode m;
    try {
      m = Mode.valueOf(mode);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "tugboat.mode (TUGBOAT_MODE) must be 'embedded' or 'production', not '" + t.getString("mode") + "'");
    }
    return new NodeSettings(
        m,
        Path.of(t.getString("data-dir")),
        t.getString("embedded.mqtt-host"),
        t.getInt("embedded.mqtt-port"),
        t.getInt("embedded.fake-model-run-seconds"));
  }

  public boolean embedded() {
    return mode == Mode.EMBEDDED;
  }
}
