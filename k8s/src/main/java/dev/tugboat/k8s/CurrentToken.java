package dev.tugboat.k8s;

import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token the client of a fabric8 {@link Config} would send: its token provider's, if it
 * has one, as the provider gives it; otherwise its explicit token; otherwise the token it read from
 * the service account file or the kubeconfig, read again through {@link Config#refresh()}, since
 * such tokens rotate. Empty when the configuration has none (a client certificate authenticates).
 *
 * <p>{@link #get()} runs on the proxy's request path, so it only hands out the token read last
 * and never reads itself: the first {@code get()} once the token is {@code reread} old starts a
 * read on {@code background} (a file, perhaps an exec credential plugin), whose token the
 * following requests take. A rotated token is thus in use within {@code reread} of the first
 * request after it changed. A read that fails, or finds no token, keeps the token read before,
 * and is logged.
 */
final class CurrentToken implements Supplier<Optional<String>> {
  private static final Logger LOG = LoggerFactory.getLogger(CurrentToken.class);

  /** Reads tokens off the request path: one daemon thread at most, gone when idle. */
  static final ExecutorService BACKGROUND = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "tugboat-api-server-token");
        t.setDaemon(true);
        return t;
      });

  private final Config config;
  private final long rereadNanos;
  private final LongSupplier nanoClock;
  private final Executor background;
  private final AtomicBoolean reading = new AtomicBoolean();
  private volatile Optional<String> token;
  private volatile long readAt;

  /** Reads the token once now (at start, off any request path), later ones on {@code background}. */
  CurrentToken(Config config, Duration reread, LongSupplier nanoClock, Executor background) {
    this.config = config;
    this.rereadNanos = reread.toNanos();
    this.nanoClock = nanoClock;
    this.background = background;
    this.token = read(config);
    this.readAt = nanoClock.getAsLong();
  }

  @Override
  public Optional<String> get() {
    if (nanoClock.getAsLong() - readAt >= rereadNanos && reading.compareAndSet(false, true)) {
      try {
        background.execute(this::reread);
      } catch (RejectedExecutionException e) {
        reading.set(false);
      }
    }
    return token;
  }

  private void reread() {
    try {
      if (config.getOauthTokenProvider() != null || nonBlank(config.getOauthToken()).isPresent()) {
        token = read(config);
      } else {
        Optional<String> fresh = nonBlank(config.refresh().getAutoOAuthToken());
        if (fresh.isPresent()) {
          token = fresh;
        } else if (token.isPresent()) {
          LOG.warn("the Kubernetes client's configuration has no token now; the one read before stays in use");
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot read the Kubernetes API server's token again, the one read before stays in use: {}",
          e.toString());
    } finally {
      readAt = nanoClock.getAsLong();
      reading.set(false);
    }
  }

  private static Optional<String> read(Config config) {
    if (config.getOauthTokenProvider() != null) {
      return nonBlank(config.getOauthTokenProvider().getToken());
    }
    return nonBlank(config.getOauthToken()).or(() -> nonBlank(config.getAutoOAuthToken()));
  }

  private static Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
  }
}
