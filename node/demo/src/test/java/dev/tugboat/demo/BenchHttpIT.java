package dev.tugboat.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench-http} on a small scale: it fills a node with ended simulations, loads the list and
 * get, and ends with its figures line and no failed request.
 */
class BenchHttpIT {

  @Test
  void fillsTheNodeLoadsListAndGetAndPrintsItsFigures(@TempDir Path dir) throws Exception {
    CommandRun run = CommandRun.of("bench-http", "--simulations", "4", "--models", "2",
        "--wave", "2", "--rate", "40", "--seconds", "2", "--warmup-seconds", "1",
        "--data-dir", dir.resolve("data").toString(),
        "--mqtt-port", CommandRun.freePort(), "--http-port", CommandRun.freePort());
    int code = run.code();
    String out = run.out();
    assertEquals(0, code, out);
    Matcher last = Pattern.compile("simulations=4 rate=40 sent_per_s=\\d+ list_p50_ms=\\d+ list_p99_ms=\\d+ "
        + "get_p50_ms=\\d+ get_p99_ms=\\d+ errors=(\\d+)").matcher(out);
    assertTrue(last.find(), out);
    assertEquals("0", last.group(1), out);
    assertTrue(out.contains("list: 40 requests"), out);
    assertTrue(out.contains("get: 40 requests"), out);
  }

}
