package dev.tugboat.http.auth;

import dev.tugboat.http.ErrorBody;
import dev.tugboat.http.Json;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.Origin;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may do what over HTTP. Reads need a viewer (or nobody, when anonymous reading is on);
 * changes need an operator: 401 without a known token, 403 with a viewer's, and 403 for a change
 * carried by a session cookie from another site's page (the Origin must be this server). Every
 * change, allowed or not, leaves one audit line: who, what, the answer's status.
 */
public final class Access extends AllDirectives {
  /** Its own logger, so that audit lines can be routed and kept apart from the rest. */
  private static final Logger AUDIT = LoggerFactory.getLogger("dev.tugboat.audit");

  private final Authenticator authenticator;
  private final boolean anonymousRead;
  private final Duration sessionTtl;

  public Access(Authenticator authenticator, boolean anonymousRead, Duration sessionTtl) {
    this.authenticator = authenticator;
    this.anonymousRead = anonymousRead;
    this.sessionTtl = sessionTtl;
  }

  /** Everything from {@code settings}: the tokens file read now (a bad one fails here), cookies under {@code cookieKey}. */
  public static Access of(AuthSettings settings, byte[] cookieKey, Clock clock) throws IOException {
    Tokens tokens = settings.tokensFile().isPresent()
        ? Tokens.fromFile(settings.tokensFile().get(), settings.tokensRecheck(), clock)
        : Tokens.none();
    return new Access(new Authenticator(tokens, new SessionCookies(cookieKey, clock)), settings.anonymousRead(),
        settings.sessionTtl());
  }

  public Duration sessionTtl() {
    return sessionTtl;
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  public boolean anonymousRead() {
    return anonymousRead;
  }

  /** {@code inner} for a viewer or better (or anyone when anonymous reading is on); 401 otherwise. */
  public Route read(Function<Principal, Route> inner) {
    return extractRequest(request -> {
      Identity identity = authenticator.identify(request, SessionCookies.API_SCOPE);
      if (identity instanceof Identity.Known known) {
        return inner.apply(known.principal());
      }
      if (identity instanceof Identity.None none && anonymousRead) {
        return inner.apply(Principal.anonymous());
      }
      return unauthorized(reason(identity));
    });
  }

  /** {@code inner} for an operator; 401 or 403 otherwise. Audited either way. */
  public Route change(Function<Principal, Route> inner) {
    return extractRequest(request -> {
      String action = request.method().value() + " " + request.getUri().path();
      Identity identity = authenticator.identify(request, SessionCookies.API_SCOPE);
      if (!(identity instanceof Identity.Known known)) {
        audit(Principal.ANONYMOUS_NAME, action, 401);
        return unauthorized(reason(identity));
      }
      Principal principal = known.principal();
      if (!principal.role().covers(Role.OPERATOR)) {
        audit(principal.toString(), action, 403);
        return forbidden("this needs the operator role; " + principal.name() + " is a " + principal.role().label());
      }
      if (known.viaCookie() && !sameOrigin(request)) {
        audit(principal.toString(), action, 403);
        return forbidden("a change made with a session cookie must come from this server's own pages"
            + " (the Origin header is missing or names another site); send a bearer token instead");
      }
      return mapResponse(response -> {
        audit(principal.toString(), action, response.status().intValue());
        return response;
      }, () -> inner.apply(principal));
    });
  }

  /** Whether the request's Origin is the host it was sent to. */
  static boolean sameOrigin(HttpRequest request) {
    Optional<Origin> origin = request.getHeader(Origin.class);
    Optional<String> host = request.getHeader("Host").map(h -> h.value());
    if (origin.isEmpty() || host.isEmpty()) {
      return false;
    }
    String value = origin.get().value();
    int scheme = value.indexOf("://");
    String authority = scheme < 0 ? value : value.substring(scheme + 3);
    return authority.equalsIgnoreCase(host.get());
  }

  private static String reason(Identity identity) {
    if (identity instanceof Identity.Refused refused) {
      return refused.reason();
    }
    String note = identity instanceof Identity.None none ? none.note() : "";
    return note.isEmpty() ? "a token is needed: `Authorization: Bearer <token>`, or sign in (POST /api/v1/session)"
        : note;
  }

  private Route unauthorized(String reason) {
    return respondWithHeaders(List.of(WWWAuthenticate.create(HttpChallenge.create("Bearer", "tugboat"))),
        () -> complete(StatusCodes.UNAUTHORIZED, ErrorBody.of(reason), Json.marshaller()));
  }

  private Route forbidden(String reason) {
    return complete(StatusCodes.FORBIDDEN, ErrorBody.of(reason), Json.marshaller());
  }

  private static void audit(String who, String action, int status) {
    AUDIT.info("audit who={} action=\"{}\" status={}", who, action, status);
  }
}
