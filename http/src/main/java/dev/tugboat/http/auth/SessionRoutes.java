package dev.tugboat.http.auth;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tugboat.http.ErrorBody;
import dev.tugboat.http.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.model.headers.HttpCookie;
import org.apache.pekko.http.javadsl.model.headers.SameSite;
import org.apache.pekko.http.javadsl.model.headers.SetCookie;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in and out of the browser session: {@code POST /api/v1/session} exchanges a token (a
 * bearer header or {@code {"token": "..."}}) for an HttpOnly, SameSite=Strict cookie; {@code GET}
 * says who the session is; {@code DELETE} ends it. The token is never echoed or logged.
 */
public final class SessionRoutes extends AllDirectives {
  private static final Logger AUDIT = LoggerFactory.getLogger("dev.tugboat.audit");

  private final Access access;
  private final Duration ttl;

  public SessionRoutes(Access access) {
    this.access = access;
    this.ttl = access.sessionTtl();
  }

  public Route route() {
    return path(segment("api").slash("v1").slash("session"), () -> concat(
        post(() -> extractRequest(request -> entity(Unmarshaller.entityToString(), body -> signIn(request, body)))),
        get(() -> access.read(this::whoAmI)),
        delete(() -> extractRequest(request -> signOut(request)))));
  }

  private Route signIn(HttpRequest request, String body) {
    Identity identity;
    Optional<Authorization> authorization = request.getHeader(Authorization.class);
    if (authorization.isPresent()) {
      identity = access.authenticator().bearer(authorization.get());
    } else {
      try {
        SignIn signIn = body.isBlank() ? new SignIn(null) : Json.objectMapper().readValue(body, SignIn.class);
        identity = access.authenticator().byToken(signIn.token());
      } catch (JsonProcessingException e) {
        return complete(StatusCodes.BAD_REQUEST,
            ErrorBody.of("body must be {\"token\": \"...\"} or send `Authorization: Bearer <token>`"),
            Json.marshaller());
      }
    }
    if (!(identity instanceof Identity.Known known)) {
      AUDIT.info("audit who={} action=\"sign in\" status=401", Principal.ANONYMOUS_NAME);
      String reason = identity instanceof Identity.Refused refused ? refused.reason() : "a token is needed";
      return complete(StatusCodes.UNAUTHORIZED, ErrorBody.of(reason), Json.marshaller());
    }
    Principal principal = known.principal();
    String value = access.authenticator().cookies().mint(principal, SessionCookies.API_SCOPE, ttl);
    AUDIT.info("audit who={} action=\"sign in\" status=200", principal);
    return respondWithHeaders(List.of(SetCookie.create(cookie(request, value, ttl.toSeconds()))),
        () -> completeOK(SessionBody.of(principal, Instant.now().plus(ttl)), Json.marshaller()));
  }

  private Route whoAmI(Principal principal) {
    return completeOK(SessionBody.of(principal, null), Json.marshaller());
  }

  private Route signOut(HttpRequest request) {
    return respondWithHeaders(List.of(SetCookie.create(cookie(request, "", 0))),
        () -> complete(StatusCodes.NO_CONTENT));
  }

  /** HttpOnly and SameSite=Strict always; Secure when the request came over https (directly or at a proxy). */
  static HttpCookie cookie(HttpRequest request, String value, long maxAgeSeconds) {
    boolean https = "https".equals(request.getUri().getScheme())
        || request.getHeader("X-Forwarded-Proto").map(h -> h.value().equalsIgnoreCase("https")).orElse(false);
    return HttpCookie.create(Authenticator.COOKIE, value)
        .withPath("/")
        .withHttpOnly(true)
        .withSecure(https)
        .withSameSite(SameSite.Strict)
        .withMaxAge(maxAgeSeconds);
  }

  /** Body of POST /api/v1/session. */
  public record SignIn(String token) {}

  /** Who a session is; {@code expiresAt} only in the answer to signing in. */
  public record SessionBody(String name, String role, boolean anonymous, Instant expiresAt) {
    static SessionBody of(Principal p, Instant expiresAt) {
      return new SessionBody(p.name(), p.role().label(), p.isAnonymous(), expiresAt);
    }
  }
}
