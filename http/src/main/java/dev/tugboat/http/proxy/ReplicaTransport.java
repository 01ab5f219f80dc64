package dev.tugboat.http.proxy;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * How the proxy reaches a replica: straight over the pod network ({@link PodNetwork}, Tugboat
 * inside the cluster), or through the Kubernetes API server's pod proxy ({@link ApiServer},
 * Tugboat outside it). Both carry HTTP and WebSocket. A replica's id is its pod's name, which is
 * what the API server's pod proxy addresses.
 */
public sealed interface ReplicaTransport permits ReplicaTransport.PodNetwork, ReplicaTransport.ApiServer {

  /**
   * The URI of {@code target} (the raw, still percent-encoded path and query, starting with '/')
   * on container port {@code port} of {@code replica}, with a WebSocket scheme when
   * {@code webSocket}.
   */
  String uri(ProxiedService.Replica replica, int port, String target, boolean webSocket);

  /**
   * The headers this hop adds to every request (the API server's credential), asked for each
   * request: a rotated token is used as soon as its supplier has it (the node's re-reads it in
   * the background once a minute, ApiServerConnection). Empty for the pod network.
   *
   * @throws MissingCredential when the hop needs a credential and has none now
   */
  List<HttpHeader> credentials();

  /**
   * The TLS the client uses on this hop, the same instance every time (Pekko shares a connection
   * pool per context); empty for the pod network (plain HTTP).
   */
  Optional<HttpsConnectionContext> tls();

  /**
   * The replica's answer headers as the caller gets them: what this hop changed on the way is
   * undone ({@code callerPrefix} is the proxy's own path prefix of the service, empty for the host
   * form). The pod network changes nothing.
   */
  default List<HttpHeader> answerHeaders(List<HttpHeader> headers, ProxiedService.Replica replica, int port,
      String callerPrefix) {
    return headers;
  }

  /**
   * Whether the caller's Authorization header is dropped on this hop: through the API server the
   * header carries the API server's credential, so the caller's own never reaches the service.
   */
  boolean replacesAuthorization();

  /** For log lines: where requests go (never a credential). */
  String describe();

  /** The pod network: {@code http://{podIP}:{port}{target}}. */
  static ReplicaTransport podNetwork() {
    return PodNetwork.INSTANCE;
  }

  /** The pod network: the replica's host (its pod IP) and port, plain HTTP. */
  enum PodNetwork implements ReplicaTransport {
    INSTANCE;

    @Override
    public String uri(ProxiedService.Replica replica, int port, String target, boolean webSocket) {
      String host = replica.host();
      return (webSocket ? "ws" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + target;
    }

    @Override
    public List<HttpHeader> credentials() {
      return List.of();
    }

    @Override
    public Optional<HttpsConnectionContext> tls() {
      return Optional.empty();
    }

    @Override
    public boolean replacesAuthorization() {
      return false;
    }

    @Override
    public String describe() {
      return "the pod network (pod IP and port)";
    }
  }

  /**
   * The API server's pod proxy:
   * {@code {server}/api/v1/namespaces/{namespace}/pods/{pod}:{port}/proxy{target}} over the API
   * server's TLS, with its bearer token (when it uses one) as the Authorization header of this
   * hop only: the API server consumes it, the replica never sees it. The TLS context is built once,
   * here: Pekko keys its client connection pools by it, so one context means one pool (and its
   * limits) for every request on this hop. The API server's rewriting of a redirect's address is
   * undone ({@link HopLocations}).
   */
  final class ApiServer implements ReplicaTransport {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private final URI server;
    private final String namespace;
    private final SSLContext sslContext;
    private final boolean verifyHostname;
    private final Supplier<Optional<String>> bearerToken;
    private final boolean tokenRequired;
    private final Optional<HttpsConnectionContext> tls;

    /**
     * @param server the API server's base URL (https, or http for a plain simulated one)
     * @param namespace the namespace the replicas' pods are in
     * @param sslContext trusts the API server's certificate and holds the client certificate, if any
     * @param verifyHostname whether the API server's certificate must name its host
     * @param bearerToken the current token, asked per request and expected to answer at once from
     *     memory; empty when a client certificate authenticates (or nothing does: a local,
     *     unauthenticated API server)
     * @param tokenRequired whether a request without a token must not go out (the API server is
     *     reached with a token, and none can be read now)
     */
    public ApiServer(URI server, String namespace, SSLContext sslContext, boolean verifyHostname,
        Supplier<Optional<String>> bearerToken, boolean tokenRequired) {
      Objects.requireNonNull(server, "server");
      Objects.requireNonNull(sslContext, "sslContext");
      Objects.requireNonNull(bearerToken, "bearerToken");
      if (!"https".equals(server.getScheme()) && !"http".equals(server.getScheme()) || server.getHost() == null) {
        throw new IllegalArgumentException("the API server's URL must be http(s)://host[:port], was " + server);
      }
      if (namespace == null || !NAME.matcher(namespace).matches()) {
        throw new IllegalArgumentException("the namespace must be a Kubernetes name, was '" + namespace + "'");
      }
      this.server = server;
      this.namespace = namespace;
      this.sslContext = sslContext;
      this.verifyHostname = verifyHostname;
      this.bearerToken = bearerToken;
      this.tokenRequired = tokenRequired;
      this.tls = "https".equals(server.getScheme()) ? Optional.of(httpsContext(sslContext, verifyHostname))
          : Optional.empty();
    }

    public URI server() {
      return server;
    }

    public String namespace() {
      return namespace;
    }

    public SSLContext sslContext() {
      return sslContext;
    }

    public boolean verifyHostname() {
      return verifyHostname;
    }

    public Supplier<Optional<String>> bearerToken() {
      return bearerToken;
    }

    public boolean tokenRequired() {
      return tokenRequired;
    }

    @Override
    public String uri(ProxiedService.Replica replica, int port, String target, boolean webSocket) {
      if (port < 1 || port > 65535 || !target.startsWith("/")) {
        throw new IllegalArgumentException("port " + port + " and target '" + target + "' do not form a proxied path");
      }
      boolean secure = "https".equals(server.getScheme());
      String scheme = webSocket ? (secure ? "wss" : "ws") : server.getScheme();
      return scheme + "://" + server.getRawAuthority() + podPath(replica, port) + target;
    }

    /** The path the API server's pod proxy has for {@code replica}'s {@code port}, without a trailing slash. */
    String podPath(ProxiedService.Replica replica, int port) {
      if (!NAME.matcher(replica.id()).matches()) {
        throw new IllegalArgumentException("replica id '" + replica.id() + "' is not a pod name");
      }
      String base = server.getRawPath() == null ? "" : server.getRawPath().replaceAll("/+$", "");
      return base + "/api/v1/namespaces/" + namespace + "/pods/" + replica.id() + ":" + port + "/proxy";
    }

    @Override
    public List<HttpHeader> credentials() {
      Optional<String> token;
      try {
        token = bearerToken.get().filter(t -> !t.isBlank());
      } catch (RuntimeException e) {
        throw new MissingCredential("cannot read the Kubernetes API server's token: " + e.getMessage());
      }
      if (token.isEmpty()) {
        if (!tokenRequired) {
          return List.of();
        }
        throw new MissingCredential("the proxy has no token for the Kubernetes API server now");
      }
      return List.of(RawHeader.create("Authorization", "Bearer " + token.get()));
    }

    @Override
    public Optional<HttpsConnectionContext> tls() {
      return tls;
    }

    @Override
    public List<HttpHeader> answerHeaders(List<HttpHeader> headers, ProxiedService.Replica replica, int port,
        String callerPrefix) {
      return HopLocations.rewrite(headers, server, podPath(replica, port), callerPrefix);
    }

    @Override
    public boolean replacesAuthorization() {
      return true;
    }

    @Override
    public String describe() {
      return "the Kubernetes API server's pod proxy at " + server + " (namespace " + namespace + ")";
    }

    @Override
    public String toString() {
      return "ApiServer[" + server + ", namespace " + namespace + ", verifyHostname " + verifyHostname
          + ", tokenRequired " + tokenRequired + "]";
    }

    private static HttpsConnectionContext httpsContext(SSLContext sslContext, boolean verifyHostname) {
      return ConnectionContext.httpsClient((host, port) -> {
        SSLEngine engine = sslContext.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        if (verifyHostname) {
          SSLParameters parameters = engine.getSSLParameters();
          parameters.setEndpointIdentificationAlgorithm("HTTPS");
          engine.setSSLParameters(parameters);
        }
        return engine;
      });
    }
  }

  /** The hop needs a credential it does not have now; the proxy answers 502 without sending. */
  final class MissingCredential extends RuntimeException {
    public MissingCredential(String message) {
      super(message, null, false, false);
    }
  }
}
