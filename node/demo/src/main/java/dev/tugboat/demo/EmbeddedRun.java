package dev.tugboat.demo;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.http.auth.TokenHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
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
    return start(dataDir, mqttPort, httpPort, fakeModelRunSeconds, null);
  }

  /**
   * As above; with {@code operatorToken} (not null) the node's tokens file, in the data directory,
   * knows that one token as operator {@code demo}, so changes over HTTP can be made with it.
   */
  static EmbeddedMode.EmbeddedNode start(Path dataDir, int mqttPort, int httpPort, int fakeModelRunSeconds,
      String operatorToken) throws Exception {
    wipe(dataDir);
    Map<String, Object> settings = new HashMap<>(Map.of(
        "tugboat.mode", "embedded",
        "tugboat.data-dir", dataDir.toString(),
        "tugboat.embedded.mqtt-port", mqttPort,
        "tugboat.kubernetes.simulated.model-run-time", fakeModelRunSeconds + "s",
        "tugboat.http.port", httpPort,
        "pekko.remote.artery.canonical.port", 0));
    if (operatorToken != null) {
      Path tokens = dataDir.resolve("tokens");
      Files.writeString(tokens, TokenHash.of(operatorToken) + " operator demo\n");
      settings.put("tugboat.http.auth.tokens-file", tokens.toString());
    }
    EmbeddedMode.EmbeddedNode node = EmbeddedMode.start(EmbeddedMode.loadConfig(ConfigFactory.parseMap(settings)));
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
