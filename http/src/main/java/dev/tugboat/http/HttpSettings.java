package dev.tugboat.http;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the HTTP frontend, read once from {@code tugboat.http}. Invalid values fail at
 * start-up, not at the first request.
 *
 * @param interfaceAddress address to bind ({@code tugboat.http.interface})
 * @param port TCP port; 0 picks a free one
 * @param askTimeout how long a query waits for an entity before answering 503
 * @param terminationDeadline how long in-flight requests may run on during shutdown
 */
public record HttpSettings(String interfaceAddress, int port, Duration askTimeout, Duration terminationDeadline) {

  public HttpSettings {
    Objects.requireNonNull(interfaceAddress, "interfaceAddress");
    Objects.requireNonNull(askTimeout, "askTimeout");
    Objects.requireNonNull(terminationDeadline, "terminationDeadline");
    if (interfaceAddress.isBlank()) {
      throw new IllegalArgumentException("tugboat.http.interface is empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("tugboat.http.port " + port + " is not a TCP port");
    }
    if (askTimeout.isNegative() || askTimeout.isZero()) {
      throw new IllegalArgumentException("tugboat.http.ask-timeout must be positive, was " + askTimeout);
    }
    if (terminationDeadline.isNegative()) {
      throw new IllegalArgumentException(
          "tugboat.http.termination-deadline must not be negative, was " + terminationDeadline);
    }
  }

  /** Reads {@code tugboat.http} from the root configuration. */
  public static HttpSettings fromConfig(Config root) {
    Config c = root.getConfig("tugboat.http");
    return new HttpSettings(
        c.getString("interface"),
        c.getInt("port"),
        c.getDuration("ask-timeout"),
        c.getDuration("termination-deadline"));
  }
}
