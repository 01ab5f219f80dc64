package dev.tugboat.http.proxy;

import dev.tugboat.http.auth.Authenticator;
import dev.tugboat.http.auth.Identity;
import dev.tugboat.http.auth.Principal;
import dev.tugboat.http.auth.SessionCookies;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.model.headers.HttpCookie;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.SameSite;
import org.apache.pekko.http.javadsl.model.headers.SetCookie;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's {@code ?token=} exchange for a private port: a token of someone allowed becomes a
 * cookie of the service's own scope and a redirect to the same URL without the token, so the
 * token leaves the address bar and never reaches the replica; every use leaves an audit line.
 */
final class TokenExchange {
  /** The audit log of {@link dev.tugboat.http.auth.Access}. */
  private static final Logger AUDIT = LoggerFactory.getLogger("dev.tugboat.audit");

  private final Authenticator authenticator;
  private final Duration cookieTtl;

  TokenExchange(Authenticator authenticator, Duration cookieTtl) {
    this.authenticator = authenticator;
    this.cookieTtl = cookieTtl;
  }

  /**
   * The cookie for {@code principal} and a redirect without the token: 303 for GET and HEAD, 307
   * otherwise so the method and body are sent again. The cookie is Secure when the caller came
   * over HTTPS (directly or as X-Forwarded-Proto says) and holds for the session TTL.
   */
  HttpResponse exchange(HttpRequest request, ProxyAddress address, Optional<String> rawQuery, Principal principal,
      int port) {
    String value = authenticator.cookies().mint(principal, SessionCookies.serviceScope(address.name()), cookieTtl);
    boolean https = "https".equals(request.getUri().getScheme())
        || request.getHeader("X-Forwarded-Proto").map(h -> h.value().equalsIgnoreCase("https")).orElse(false);
    HttpCookie cookie = HttpCookie.create(ServiceAccess.COOKIE, value)
        .withPath(address.hostForm() ? "/" : address.prefix())
        .withHttpOnly(true)
        .withSecure(https)
        .withSameSite(SameSite.Lax)
        .withMaxAge(cookieTtl.toSeconds());
    boolean safe = request.method().equals(HttpMethods.GET) || request.method().equals(HttpMethods.HEAD);
    audit(principal.toString(), address.name(), port, safe ? 303 : 307);
    return HttpResponse.create()
        .withStatus(safe ? StatusCodes.SEE_OTHER : StatusCodes.TEMPORARY_REDIRECT)
        .addHeader(Location.create(address.prefix() + address.rest() + withoutToken(rawQuery)))
        .addHeader(SetCookie.create(cookie));
  }

  /** Whether the request carries a Tugboat bearer token, which the replica must not see. */
  boolean carriesTugboatToken(HttpRequest request) {
    return request.getHeader(Authorization.class)
        .map(a -> authenticator.bearer(a) instanceof Identity.Known)
        .orElse(false);
  }

  /** The audit line of a ?token= use: who, which service and port, and the status answered. */
  static void audit(String who, String service, int port, int status) {
    AUDIT.info("audit who={} action=\"open service {} port {} with ?token=\" status={}", who, service, port, status);
  }

  /** The value of the first {@code token} parameter of a raw query, decoded. */
  static Optional<String> tokenParameter(Optional<String> rawQuery) {
    if (rawQuery.isEmpty()) {
      return Optional.empty();
    }
    for (String part : rawQuery.get().split("&")) {
      int eq = part.indexOf('=');
      String key = eq < 0 ? part : part.substring(0, eq);
      if (key.equals(ServiceAccess.TOKEN_PARAMETER)) {
        return Optional.of(eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  /** {@code ?query} without any {@code token} parameter, or "" when nothing is left. */
  static String withoutToken(Optional<String> rawQuery) {
    if (rawQuery.isEmpty()) {
      return "";
    }
    List<String> kept = new ArrayList<>();
    for (String part : rawQuery.get().split("&", -1)) {
      int eq = part.indexOf('=');
      String key = eq < 0 ? part : part.substring(0, eq);
      if (!key.equals(ServiceAccess.TOKEN_PARAMETER) && !part.isEmpty()) {
        kept.add(part);
      }
    }
    return kept.isEmpty() ? "" : "?" + String.join("&", kept);
  }
}
