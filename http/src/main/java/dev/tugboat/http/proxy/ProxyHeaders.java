package dev.tugboat.http.proxy;

import dev.tugboat.http.auth.Authenticator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.Cookie;
import org.apache.pekko.http.javadsl.model.headers.HttpCookiePair;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The headers that cross the proxy. Towards a replica: hop-by-hop headers (RFC 9110 7.6.1, and any
 * a Connection header names) are dropped, and so are Tugboat's own credentials (its session and
 * service cookies, and an Authorization header that carried Tugboat's token); X-Forwarded-For gets
 * the caller's address appended, X-Forwarded-Proto and -Host keep what an ingress in front set or
 * say what this node saw, X-Forwarded-Prefix names the stripped path prefix, and traceparent is the
 * proxy's hop. Back to the caller: hop-by-hop headers and cookies named like Tugboat's are dropped,
 * so a service cannot set the API's session.
 */
public final class ProxyHeaders {

  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");
  /**
   * Headers Pekko adds to a request it received or answers itself (Expect: 100-continue), or that
   * the proxy sets itself.
   */
  private static final Set<String> REPLACED = Set.of("host", "timeout-access", "remote-address", "raw-request-uri",
      "tls-session-info", "content-length", "content-type", "expect", "x-forwarded-prefix", "traceparent",
      "tracestate");
  /** What the WebSocket client sets for its own handshake. */
  private static final Set<String> WEBSOCKET_HANDSHAKE = Set.of("sec-websocket-key", "sec-websocket-version",
      "sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept");
  private static final Set<String> TUGBOAT_COOKIES = Set.of(Authenticator.COOKIE, ServiceAccess.COOKIE);

  private ProxyHeaders() {}

  /**
   * What goes to the replica with a request that came with {@code incoming}.
   *
   * @param dropAuthorization whether the Authorization header is Tugboat's (a private port's
   *     credentials, or a token Tugboat knows)
   * @param clientAddress the caller's address as this node saw it, if known
   * @param proto the scheme the request came in with
   * @param host the Host the request came to
   * @param prefix the stripped path prefix; empty for the host form
   * @param webSocket whether the request is a WebSocket handshake
   */
  public static List<HttpHeader> toReplica(Iterable<HttpHeader> incoming, boolean dropAuthorization,
      Optional<String> clientAddress, String proto, String host, String prefix, TraceParent trace,
      Optional<String> traceState, boolean webSocket) {
    Set<String> named = connectionNamed(incoming);
    List<HttpHeader> out = new ArrayList<>();
    Optional<String> forwardedFor = Optional.empty();
    boolean hasProto = false;
    boolean hasHost = false;
    for (HttpHeader h : incoming) {
      String name = h.lowercaseName();
      if (HOP_BY_HOP.contains(name) || REPLACED.contains(name) || named.contains(name)
          || webSocket && WEBSOCKET_HANDSHAKE.contains(name)
          || dropAuthorization && name.equals("authorization")) {
        continue;
      }
      switch (name) {
        case "cookie" -> withoutTugboatCookies(h).ifPresent(out::add);
        case "x-forwarded-for" -> forwardedFor = Optional.of(forwardedFor.map(f -> f + ", ").orElse("") + h.value());
        case "x-forwarded-proto" -> {
          hasProto = true;
          out.add(h);
        }
        case "x-forwarded-host" -> {
          hasHost = true;
          out.add(h);
        }
        default -> out.add(h);
      }
    }
    String chain = forwardedFor.map(f -> clientAddress.map(a -> f + ", " + a).orElse(f)).or(() -> clientAddress)
        .orElse(null);
    if (chain != null) {
      out.add(RawHeader.create("X-Forwarded-For", chain));
    }
    if (!hasProto) {
      out.add(RawHeader.create("X-Forwarded-Proto", proto));
    }
    if (!hasHost && !host.isEmpty()) {
      out.add(RawHeader.create("X-Forwarded-Host", host));
    }
    if (!prefix.isEmpty()) {
      out.add(RawHeader.create("X-Forwarded-Prefix", prefix));
    }
    out.add(RawHeader.create(TraceParent.HEADER, trace.header()));
    traceState.ifPresent(s -> out.add(RawHeader.create("tracestate", s)));
    return out;
  }

  /** What goes back to the caller of the replica's {@code headers}, with the trace named. */
  public static List<HttpHeader> toCaller(Iterable<HttpHeader> headers, TraceParent trace) {
    Set<String> named = connectionNamed(headers);
    List<HttpHeader> out = new ArrayList<>();
    for (HttpHeader h : headers) {
      String name = h.lowercaseName();
      if (HOP_BY_HOP.contains(name) || named.contains(name) || name.equals(TraceParent.RESPONSE_HEADER)
          || name.equals("set-cookie") && setsTugboatCookie(h.value())) {
        continue;
      }
      out.add(h);
    }
    out.add(RawHeader.create(TraceParent.RESPONSE_HEADER, trace.header()));
    return out;
  }

  private static Set<String> connectionNamed(Iterable<HttpHeader> headers) {
    Set<String> named = new HashSet<>();
    for (HttpHeader h : headers) {
      if (h.lowercaseName().equals("connection")) {
        for (String token : h.value().split(",")) {
          named.add(token.strip().toLowerCase(Locale.ROOT));
        }
      }
    }
    return named;
  }

  private static Optional<HttpHeader> withoutTugboatCookies(HttpHeader header) {
    if (!(header instanceof Cookie cookie)) {
      return Optional.of(header);
    }
    List<HttpCookiePair> kept = new ArrayList<>();
    for (HttpCookiePair pair : cookie.getCookies()) {
      if (!TUGBOAT_COOKIES.contains(pair.name())) {
        kept.add(pair);
      }
    }
    return kept.isEmpty() ? Optional.empty() : Optional.of(Cookie.create(kept.toArray(HttpCookiePair[]::new)));
  }

  private static boolean setsTugboatCookie(String value) {
    int eq = value.indexOf('=');
    return eq > 0 && TUGBOAT_COOKIES.contains(value.substring(0, eq).strip());
  }
}
