package dev.tugboat.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** The version every command's {@code -V} prints: the Maven project version this jar was built as. */
public final class TugboatVersion implements CommandLine.IVersionProvider {
  private static final String RESOURCE = "version.properties";

  /** The project version, from the resource that the build fills in. */
  public static String version() {
    try (InputStream in = TugboatVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the jar");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {"tugboat " + version()};
  }
}
