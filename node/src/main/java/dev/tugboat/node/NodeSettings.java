package dev.tugboat.node;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * How this node is assembled. In production it uses what tugboat.mqtt and tugboat.kubernetes
 * name; the embedded mode (an embedded broker and the simulated Kubernetes beside the node) is
 * started by tugboat-demo, and the production jar refuses it ({@link TugboatNode#start(Config)}).
 */
public record NodeSettings(Mode mode, Path dataDir) {

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
    return new NodeSettings(m, Path.of(t.getString("data-dir")));
  }

  public boolean embedded() {
    return mode == Mode.EMBEDDED;
  }
}
