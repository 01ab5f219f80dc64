package dev.tugboat.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench-cold} on a small scale: a node process set up by the DOTS variables reaches the
 * simulated API server over https with the token, warms up without leaving a pod, and both
 * simulations end with their figures line.
 */
class ColdBenchIT {
  private static final Pattern FIGURES = Pattern.compile(
      "create_per_s=\\d+ ready_ms=\\d+ detect_p50_ms=-?\\d+ detect_p99_ms=-?\\d+ all_ended_ms=\\d+");

  @Test
  void aFreshNodeRunsTwoSimulationsAndPrintsBoth(@TempDir Path dir) throws Exception {
    CommandRun run = CommandRun.of("bench-cold", "--models", "3", "--run-seconds", "1",
        "--data-dir", dir.resolve("data").toString(), "--timeout-seconds", "240");
    int code = run.code();
    String out = run.out();
    String nodeLog = Files.readString(dir.resolve("data").resolve("node.log"));
    assertEquals(0, code, out + nodeLog);
    assertTrue(Pattern.compile("node: start_to_ready_ms=\\d+").matcher(out).find(), out);
    assertTrue(Pattern.compile("(?m)^first: " + FIGURES.pattern()).matcher(out).find(), out);
    assertTrue(Pattern.compile("(?m)^second: " + FIGURES.pattern()).matcher(out).find(), out);
    assertTrue(nodeLog.contains("kubernetes: https://127.0.0.1:"), nodeLog);
    assertTrue(Pattern.compile("Kubernetes warm-up: \\d+ dry-run pod creates").matcher(nodeLog).find(), nodeLog);
    assertTrue(nodeLog.contains("Journal warm-up: 64 empty recoveries"), nodeLog);
  }
}
