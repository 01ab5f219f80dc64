package dev.tugboat.k8s;

import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The bearer token the client of a fabric8 {@link Config} would send now: its token provider's,
 * if it has one (asked every time); otherwise its explicit token; otherwise the token it read from
 * the service account file or the kubeconfig, read again through {@link Config#refresh()} at most
 * once per {@code reread}, since such tokens rotate. Empty when the configuration has none (a
 * client certificate authenticates).
 */
final class CurrentToken implements Supplier<Optional<String>> {

  private final Config config;
  private final long rereadNanos;
  private final LongSupplier nanoClock;
  private Config current;
  private long readAt;

  CurrentToken(Config config, Duration reread, LongSupplier nanoClock) {
    this.config = config;
    this.rereadNanos = reread.toNanos();
    this.nanoClock = nanoClock;
    this.current = config;
    this.readAt = nanoClock.getAsLong();
  }

  @Override
  public Optional<String> get() {
    if (config.getOauthTokenProvider() != null) {
      return nonBlank(config.getOauthTokenProvider().getToken());
    }
    Optional<String> explicit = nonBlank(config.getOauthToken());
    if (explicit.isPresent()) {
      return explicit;
    }
    return nonBlank(refreshed().getAutoOAuthToken()).or(() -> nonBlank(config.getAutoOAuthToken()));
  }

  private synchronized Config refreshed() {
    long now = nanoClock.getAsLong();
    if (now - readAt >= rereadNanos) {
      readAt = now;
      current = config.refresh();
    }
    return current;
  }

  private static Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
  }
}
