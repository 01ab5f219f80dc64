package dev.tugboat.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench-scale} on a small scale: a service of max 2 replicas scales up under the closed
 * loop through the proxy, both pods answer, it goes back to one after its idle timeout, and the
 * figures line says so with no failed request.
 */
class ScaleBenchIT {

  @Test
  void scalesUpUnderLoadAndBackAndPrintsItsFigures(@TempDir Path dir) throws Exception {
    CommandRun run = CommandRun.of("bench-scale", "--max", "2", "--concurrency", "10",
        "--slow-ms", "50", "--idle-seconds", "1", "--timeout-seconds", "30", "--probe-mebibytes", "1",
        "--data-dir", dir.resolve("data").toString(),
        "--mqtt-port", CommandRun.freePort(), "--http-port", CommandRun.freePort());
    int code = run.code();
    String out = run.out();
    assertEquals(0, code, out);
    Matcher last = Pattern.compile("(?m)^min=1 max=2 concurrency=10 slow_ms=50 ready_s=(\\d+\\.\\d) "
        + "serving_s=(\\d+\\.\\d) requests=(\\d+) requests_per_s=\\d+ p50_ms=(\\d+) p99_ms=\\d+ errors=(\\d+) "
        + "back_to_min_s=\\d+\\.\\d$").matcher(out);
    assertTrue(last.find(), out);
    assertTrue(Integer.parseInt(last.group(3)) > 0, out);
    assertTrue(Integer.parseInt(last.group(4)) >= 50, "a request takes at least the echo's 50 ms: " + out);
    assertEquals("0", last.group(5), out);
    assertTrue(out.contains("bench-scale: machine before:") && out.contains("bench-scale: machine after:"), out);
  }

}
