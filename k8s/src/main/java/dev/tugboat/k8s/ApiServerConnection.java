package dev.tugboat.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * How to reach the Kubernetes API server as the node's client does, for a caller that speaks
 * HTTP itself (the proxy's pod-proxy hop): the server's URL, the namespace, an SSLContext with the
 * client's trust (CA, or trust-all) and client certificate, whether the host name is verified,
 * the current bearer token, and whether one is required (the client authenticates with a token:
 * a request without one would be refused). Built from the same fabric8 {@link Config} as the client, so both
 * authenticate alike. {@link #toString()} never shows the token.
 */
public record ApiServerConnection(URI server, String namespace, SSLContext sslContext, boolean verifyHostname,
    Supplier<Optional<String>> bearerToken, boolean tokenRequired) {

  /**
   * How old the token may get before it is read again (in the background, {@link CurrentToken}):
   * service account tokens rotate, and the kubelet renews them well before they expire.
   */
  static final Duration TOKEN_REREAD = Duration.ofMinutes(1);

  /**
   * The connection the client of {@code config} uses, to the pods of {@code namespace} (the
   * gateway's, {@code tugboat.kubernetes.namespace}). Fails (IllegalStateException) when its TLS
   * material cannot be read.
   */
  public static ApiServerConnection of(Config config, String namespace) {
    return of(config, namespace, TOKEN_REREAD, System::nanoTime, CurrentToken.BACKGROUND);
  }

  /** As {@link #of(Config, String)}, the token read again as {@code reread}, {@code clock} and {@code background} say. */
  static ApiServerConnection of(Config config, String namespace, Duration reread, LongSupplier clock,
      Executor background) {
    URI server = URI.create(config.getMasterUrl());
    SSLContext ssl;
    try {
      ssl = SSLUtils.sslContext(SSLUtils.keyManagers(config), SSLUtils.trustManagers(config));
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the TLS of the Kubernetes API server at " + server + " from the"
          + " client's configuration: " + e.getMessage(), e);
    }
    boolean verifyHostname = !config.isTrustCerts() && !config.isDisableHostnameVerification();
    CurrentToken token = new CurrentToken(config, reread, clock, background);
    return new ApiServerConnection(server, namespace, ssl, verifyHostname, token,
        config.getOauthTokenProvider() != null || token.get().isPresent());
  }

  @Override
  public String toString() {
    return "ApiServerConnection[" + server + ", namespace " + namespace + ", verifyHostname " + verifyHostname
        + ", tokenRequired " + tokenRequired + "]";
  }
}
