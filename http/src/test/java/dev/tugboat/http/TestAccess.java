package dev.tugboat.http;

import dev.tugboat.http.auth.Access;
import dev.tugboat.http.auth.AuthSettings;
import dev.tugboat.http.auth.TokenHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/** Access for route tests: a real tokens file with one operator and one viewer token. */
public final class TestAccess {
  public static final String OPERATOR_TOKEN = TokenHash.newToken();
  public static final String VIEWER_TOKEN = TokenHash.newToken();
  public static final byte[] COOKIE_KEY = new byte[32];

  static {
    Arrays.fill(COOKIE_KEY, (byte) 7);
  }

  private TestAccess() {}

  /** {@code ops} an operator, {@code watcher} a viewer; anonymous reading as asked. */
  public static Access create(boolean anonymousRead) {
    try {
      Path file = Files.createTempFile("tokens", ".txt");
      file.toFile().deleteOnExit();
      Files.writeString(file, "# test tokens\n"
          + TokenHash.of(OPERATOR_TOKEN) + " operator ops\n"
          + TokenHash.of(VIEWER_TOKEN) + " viewer watcher\n");
      return Access.of(new AuthSettings(Optional.of(file), anonymousRead, Duration.ofHours(1), Duration.ofSeconds(1)),
          COOKIE_KEY, Clock.systemUTC());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String bearer(String token) {
    return "Bearer " + token;
  }
}
