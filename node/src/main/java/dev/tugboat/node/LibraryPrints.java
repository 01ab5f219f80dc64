package dev.tugboat.node;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.List;

/**
 * Standard output without the lines libraries print there instead of logging: pekko-projection-jdbc
 * 1.0.0 prints {@code # stop ...JdbcRunningProjection@...} for every projection instance it stops
 * (a leftover debug print, no logger to turn off). Every other line passes unchanged.
 */
final class LibraryPrints extends OutputStream {
  /** Prefixes of the dropped lines. */
  static final List<String> DROPPED = List.of(
      "# stop org.apache.pekko.projection.jdbc.internal.JdbcProjectionImpl$JdbcRunningProjection@");

  private final OutputStream out;
  private final Charset charset;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  LibraryPrints(OutputStream out, Charset charset) {
    this.out = out;
    this.charset = charset;
  }

  /** Replaces System.out with one that drops the {@link #DROPPED} lines. */
  static void filterStandardOutput() {
    PrintStream original = System.out;
    Charset charset = Charset.defaultCharset();
    System.setOut(new PrintStream(new LibraryPrints(original, charset), true, charset));
  }

  @Override
  public synchronized void write(int b) throws java.io.IOException {
    line.write(b);
    if (b == '\n') {
      emitLine();
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
    for (int i = off; i < off + len; i++) {
      write(b[i]);
    }
  }

  @Override
  public synchronized void flush() throws java.io.IOException {
    // A partial line (a prompt without newline) goes out now unless it is one to drop.
    if (line.size() > 0 && !startsDropped()) {
      line.writeTo(out);
      line.reset();
    }
    out.flush();
  }

  private void emitLine() throws java.io.IOException {
    if (!startsDropped()) {
      line.writeTo(out);
    }
    line.reset();
  }

  private boolean startsDropped() {
    String text = line.toString(charset);
    return DROPPED.stream().anyMatch(text::startsWith);
  }

  @Override
  public synchronized void close() throws java.io.IOException {
    flush();
    out.close();
  }
}
