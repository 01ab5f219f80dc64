package dev.tugboat.demo;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A node on embedded defaults for {@code demo} and {@code bench}: a fresh data directory, the
 * embedded broker on the given port, the simulated Kubernetes with the given fake-model run
 * time; returned only once it is ready (subscribed), since both publish right away.
 */
final class EmbeddedRun {
  private EmbeddedRun() {}

  static EmbeddedMode.EmbeddedNode start(Path dataDir, int mqttPort, int httpPort, int fakeModelRunSeconds)
      throws Exception {
    wipe(dataDir);
    EmbeddedMode.EmbeddedNode node = EmbeddedMode.start(EmbeddedMode.loadConfig(ConfigFactory.parseMap(Map.of(
        "tugboat.mode", "embedded",
        "tugboat.data-dir", dataDir.toString(),
        "tugboat.embedded.mqtt-port", mqttPort,
        "tugboat.kubernetes.simulated.model-run-time", fakeModelRunSeconds + "s",
        "tugboat.http.port", httpPort,
        "pekko.remote.artery.canonical.port", 0))));
    try {
      node.node().awaitReady(Duration.ofSeconds(60));
      return node;
    } catch (RuntimeException | InterruptedException e) {
      node.close();
      throw e;
    }
  }

  /** A demo or benchmark always starts from nothing. */
  static void wipe(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dir);
  }
}
