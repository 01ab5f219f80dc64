package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM stops a node quietly and within its drain time: a node JVM started as {@code tugboat run}
 * starts it (on a broker and simulated Kubernetes of its own, stopped as part of the node's stop),
 * is sent SIGTERM once up, and must exit within the drain time and a small margin (exit code 143,
 * as any JVM ended by SIGTERM) with nothing after its start-up but INFO lines: no stack trace, no
 * WARN or ERROR (H2 closed under Pekko), no library prints.
 */
class QuietStopIT {
  /** The node's drain time (TUGBOAT_DRAIN_TIME): the default, set explicitly. */
  static final Duration DRAIN_TIME = Duration.ofSeconds(10);
  /** The signal's delivery, the JVM's own shutdown after the node's stop, the process's exit. */
  private static final Duration MARGIN = Duration.ofMillis(1500);
  private static final Duration STOP_WITHIN = DRAIN_TIME.plus(MARGIN);

  @Test
  void sigtermStopsWithinTheBoundWithoutWarningsOrTraces() throws Exception {
    Path output = Files.createTempFile("tugboat-quiet-stop", ".log");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process node = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), NodeRun.class.getName())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    try {
      try {
        // Generous: the node JVM starts a broker, a simulated Kubernetes and a node on a shared machine.
        Awaitility.await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(200))
            .until(() -> !node.isAlive() || read(output).contains("Tugboat node up"));
      } catch (ConditionTimeoutException e) {
        fail("the node did not start:\n" + read(output));
      }
      assertTrue(node.isAlive(), () -> "the node did not start:\n" + read(output));
      int upAt = read(output).indexOf("Tugboat node up");

      long stopping = System.nanoTime();
      node.destroy();
      boolean exited = node.waitFor(STOP_WITHIN.toSeconds() + 15, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - stopping);
      String all = read(output);
      String afterUp = all.substring(all.indexOf('\n', upAt) + 1);
      assertTrue(exited, () -> "still running after SIGTERM:\n" + afterUp);
      // A JVM ended by SIGTERM exits 128 + 15 once its shutdown hooks (the node's stop) are done.
      assertEquals(143, node.exitValue(), () -> "exit code after SIGTERM:\n" + afterUp);
      System.out.println("QuietStopIT: SIGTERM to exit took " + took.toMillis() + " ms (drain time "
          + DRAIN_TIME.toMillis() + " ms):\n" + afterUp);
      assertTrue(took.compareTo(STOP_WITHIN) <= 0, () -> "stop took " + took + ":\n" + afterUp);
      assertTrue(afterUp.contains("node stopped in"), () -> "the stop's summary line is missing:\n" + afterUp);
      List<String> noisy = afterUp.lines()
          .filter(l -> !l.isBlank() && !l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO .*"))
          .toList();
      assertEquals(List.of(), noisy, () -> "lines other than INFO after start-up:\n" + afterUp);
    } finally {
      node.destroyForcibly();
      Files.deleteIfExists(output);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The node JVM: {@code tugboat run} on a broker and simulated Kubernetes it stops after the node. */
  public static final class NodeRun {
    public static void main(String[] args) throws Exception {
      TestStack stack = TestStack.start(Duration.ofSeconds(2));
      Config config = stack.nodeConfig(Map.of("tugboat.drain-time", DRAIN_TIME.toMillis() + "ms"));
      // What an operator of a production node sets, so that run's settings check passes; the node
      // itself starts on the stack's configuration and Kubernetes client.
      Map<String, String> environment = Map.of(
          "MQTT_HOST", "127.0.0.1", "MQTT_PORT", Integer.toString(stack.mqttPort), "SIMULATOR_NAME", "dots-so",
          "KUBERNETES_HOST", "127.0.0.1", "KUBERNETES_PORT", "6443", "KUBERNETES_API_TOKEN", "unused",
          "TUGBOAT_SECRET_KEY_FILE", stack.keyFile().toString(),
          "TUGBOAT_TOKENS_FILE", stack.tokensFile().toString(),
          "TUGBOAT_DATA_DIR", stack.dataDir.resolve("node").toString(),
          "TUGBOAT_DRAIN_TIME", DRAIN_TIME.toMillis() + "ms");
      Main.execute(Main.commandLine(overrides -> TugboatNode.start(config, Optional.of(stack.kubernetes.client()),
          List.of(stack)), environment), new String[] {"run"});
    }
  }
}
