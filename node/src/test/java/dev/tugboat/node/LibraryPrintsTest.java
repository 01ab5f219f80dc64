package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LibraryPrintsTest {

  @Test
  void dropsTheProjectionStopPrintAndKeepsEverythingElse() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new LibraryPrints(sink, StandardCharsets.UTF_8), true, StandardCharsets.UTF_8);
    out.println("MSO -> ModelsReady");
    out.println("# stop org.apache.pekko.projection.jdbc.internal.JdbcProjectionImpl$JdbcRunningProjection@7e3283f5");
    out.print("partial ");
    out.println("line");
    out.print("prompt> ");
    out.flush();
    assertEquals("MSO -> ModelsReady\npartial line\nprompt> ", sink.toString(StandardCharsets.UTF_8)
        .replace(System.lineSeparator(), "\n"));
  }
}
