package dev.tugboat.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One run of a tugboat-demo command in this JVM, as the benchmark tests make it: its exit code and
 * what it printed on standard output (restored afterwards).
 */
record CommandRun(int code, String out) {

  /** Runs {@code args} through {@link DemoMain}'s command line with no environment variables. */
  static CommandRun of(String... args) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int code;
    try (PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setOut(tee);
      code = DemoMain.commandLine(Map.of()).execute(args);
    } finally {
      System.setOut(original);
    }
    return new CommandRun(code, captured.toString(StandardCharsets.UTF_8));
  }

  /** A TCP port free on this machine now, as a string for a command-line option. */
  static String freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return Integer.toString(socket.getLocalPort());
    }
  }
}
