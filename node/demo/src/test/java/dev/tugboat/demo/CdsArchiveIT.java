package dev.tugboat.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cds-archive} on the production jar as the node module packages it (class data sharing
 * archives only classes from jars, so the node's class path must be that jar, made by the node
 * module's package phase before this module's tests): the training run writes the archive, and a
 * JVM that must use it ({@code -Xshare:on}, which refuses to start otherwise) starts on that jar.
 */
class CdsArchiveIT {
  private static final Path NODE_JAR = Path.of("..", "target", "tugboat.jar").toAbsolutePath().normalize();

  @Test
  void theTrainingRunWritesAnArchiveTheJarStartsWith(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(NODE_JAR), NODE_JAR + " is made by the node module's package phase (mvn verify)");
    Path archive = dir.resolve("tugboat.jsa");
    CommandRun run = CommandRun.of("cds-archive", "--node-class-path", NODE_JAR.toString(),
        "--archive", archive.toString(), "--models", "2", "--data-dir", dir.resolve("data").toString(),
        "--timeout-seconds", "240");
    int code = run.code();
    String out = run.out();
    assertEquals(0, code, () -> out + nodeLog(dir));
    assertTrue(Files.size(archive) > 0, out);
    assertTrue(out.contains("cds-archive: wrote " + archive), out);

    Process java = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-cp", NODE_JAR.toString(), "dev.tugboat.node.Main",
        "--version")).redirectErrorStream(true).start();
    assertTrue(java.waitFor(60, TimeUnit.SECONDS), "java -Xshare:on did not end");
    String printed = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, java.exitValue(), printed);
  }

  private static String nodeLog(Path dir) {
    try {
      return Files.readString(dir.resolve("data").resolve("node.log"));
    } catch (java.io.IOException e) {
      return "(no node log: " + e + ")";
    }
  }
}
