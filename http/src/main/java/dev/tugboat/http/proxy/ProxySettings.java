package dev.tugboat.http.proxy;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the proxy to long-lived services, read once from {@code tugboat.http.proxy}. Invalid
 * values fail at start-up.
 *
 * @param responseTimeout how long a replica has to answer a request's head before the caller gets 504
 * @param connectTimeout how long connecting to a replica may take before it counts as refused (502)
 * @param maxRequestBody bytes of one forwarded request body, at most; a larger one is answered 413
 * @param reportInterval how often in-flight counts go to {@link ServiceEndpoints#reportLoad} while there is traffic
 * @param refusedPause how long a replica that refused a connection stays out of this node's rotation
 * @param retryAfter the Retry-After of a 503 when no replica is ready
 * @param maxConnectionsPerReplica open connections to one replica, at most
 * @param maxOpenRequests requests queued or running towards one replica (a power of two); more is 503
 */
public record ProxySettings(Duration responseTimeout, Duration connectTimeout, long maxRequestBody,
    Duration reportInterval, Duration refusedPause, Duration retryAfter, int maxConnectionsPerReplica,
    int maxOpenRequests) {

  public ProxySettings {
    positive("response-timeout", responseTimeout);
    positive("connect-timeout", connectTimeout);
    positive("report-interval", reportInterval);
    positive("refused-pause", refusedPause);
    positive("retry-after", retryAfter);
    if (maxRequestBody < 1) {
      throw new IllegalArgumentException("tugboat.http.proxy.max-request-body must be positive, was " + maxRequestBody);
    }
    if (maxConnectionsPerReplica < 1) {
      throw new IllegalArgumentException(
          "tugboat.http.proxy.max-connections-per-replica must be positive, was " + maxConnectionsPerReplica);
    }
    if (maxOpenRequests < 1 || Integer.bitCount(maxOpenRequests) != 1) {
      throw new IllegalArgumentException(
          "tugboat.http.proxy.max-open-requests must be a power of two, was " + maxOpenRequests);
    }
  }

  /** Reads {@code tugboat.http.proxy} from the root configuration. */
  public static ProxySettings fromConfig(Config root) {
    Config c = root.getConfig("tugboat.http.proxy");
    return new ProxySettings(c.getDuration("response-timeout"), c.getDuration("connect-timeout"),
        c.getBytes("max-request-body"), c.getDuration("report-interval"), c.getDuration("refused-pause"),
        c.getDuration("retry-after"), c.getInt("max-connections-per-replica"), c.getInt("max-open-requests"));
  }

  private static void positive(String key, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("tugboat.http.proxy." + key + " must be positive, was " + value);
    }
  }
}
