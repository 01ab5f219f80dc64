package dev.tugboat.http.auth;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of authentication, read once from {@code tugboat.http.auth}.
 *
 * @param tokensFile the tokens file ({@code TUGBOAT_TOKENS_FILE}); none means no token is known
 * @param anonymousRead whether a request without a token may read ({@code TUGBOAT_ANONYMOUS_READ}:
 *     {@code auto} is on in embedded mode and off in production)
 * @param sessionTtl how long a browser's session cookie lasts
 * @param tokensRecheck how often the tokens file is looked at for changes
 */
public record AuthSettings(Optional<Path> tokensFile, boolean anonymousRead, Duration sessionTtl,
    Duration tokensRecheck) {

  public AuthSettings {
    Objects.requireNonNull(tokensFile, "tokensFile");
    if (sessionTtl.isNegative() || sessionTtl.isZero()) {
      throw new IllegalArgumentException("tugboat.http.auth.session-ttl must be positive, was " + sessionTtl);
    }
    if (tokensRecheck.isNegative() || tokensRecheck.isZero()) {
      throw new IllegalArgumentException("tugboat.http.auth.tokens-recheck must be positive, was " + tokensRecheck);
    }
  }

  /** Reads {@code tugboat.http.auth}; {@code embedded} decides what {@code auto} means. */
  public static AuthSettings fromConfig(Config root, boolean embedded) {
    Config c = root.getConfig("tugboat.http.auth");
    String file = c.getString("tokens-file").strip();
    return new AuthSettings(
        file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)),
        anonymousRead(c.getString("anonymous-read"), embedded),
        c.getDuration("session-ttl"),
        c.getDuration("tokens-recheck"));
  }

  static boolean anonymousRead(String value, boolean embedded) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "auto" -> embedded;
      case "true", "on", "yes" -> true;
      case "false", "off", "no" -> false;
      default -> throw new IllegalArgumentException(
          "TUGBOAT_ANONYMOUS_READ (tugboat.http.auth.anonymous-read) must be auto, true or false, was '"
              + value + "'");
    };
  }
}
