package dev.tugboat.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
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
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int code;
    try (PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setOut(tee);
      code = DemoMain.commandLine(Map.of()).execute("bench-http", "--simulations", "4", "--models", "2",
          "--wave", "2", "--rate", "40", "--seconds", "2", "--warmup-seconds", "1",
          "--data-dir", dir.resolve("data").toString(),
          "--mqtt-port", Integer.toString(freePort()), "--http-port", Integer.toString(freePort()));
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    Matcher last = Pattern.compile("simulations=4 rate=40 sent_per_s=\\d+ list_p50_ms=\\d+ list_p99_ms=\\d+ "
        + "get_p50_ms=\\d+ get_p99_ms=\\d+ errors=(\\d+)").matcher(out);
    assertTrue(last.find(), out);
    assertEquals("0", last.group(1), out);
    assertTrue(out.contains("list: 40 requests"), out);
    assertTrue(out.contains("get: 40 requests"), out);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
