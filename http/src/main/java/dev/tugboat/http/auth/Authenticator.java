package dev.tugboat.http.auth;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.model.headers.Cookie;
import org.apache.pekko.http.javadsl.model.headers.HttpCookiePair;

/**
 * Tells who sent a request, from its {@code Authorization: Bearer} header or else its session
 * cookie. Pure: it answers an {@link Identity} and leaves what the route does with it to
 * {@link Access}. A bearer token that is not known is refused outright; a stale cookie only counts
 * as no credentials, so an expired browser session still reads where anonymous reading is on.
 */
public final class Authenticator {
  public static final String COOKIE = "tugboat_session";

  private final Tokens tokens;
  private final SessionCookies cookies;

  public Authenticator(Tokens tokens, SessionCookies cookies) {
    this.tokens = tokens;
    this.cookies = cookies;
  }

  public Tokens tokens() {
    return tokens;
  }

  public SessionCookies cookies() {
    return cookies;
  }

  /** Who sent {@code request}, for a cookie of {@code scope}. */
  public Identity identify(HttpRequest request, String scope) {
    Optional<Authorization> authorization = request.getHeader(Authorization.class);
    if (authorization.isPresent()) {
      return bearer(authorization.get());
    }
    Optional<String> cookie = cookie(request, COOKIE);
    if (cookie.isEmpty()) {
      return new Identity.None("");
    }
    return cookies.tokenHash(cookie.get(), scope)
        .flatMap(tokens::byHash)
        .<Identity>map(p -> new Identity.Known(p, true))
        .orElse(new Identity.None("the session cookie is expired or no longer valid; sign in again"));
  }

  /** The principal of a bearer token, for signing in. */
  public Identity bearer(Authorization authorization) {
    if (!"bearer".equalsIgnoreCase(authorization.credentials().scheme())) {
      return new Identity.Refused("the Authorization header must be `Bearer <token>`");
    }
    return byToken(authorization.credentials().token());
  }

  /** The principal of {@code token}, or a refusal that does not echo it. */
  public Identity byToken(String token) {
    if (token == null || token.isBlank()) {
      return new Identity.Refused("the token is empty");
    }
    return tokens.byToken(token.strip())
        .<Identity>map(p -> new Identity.Known(p, false))
        .orElse(new Identity.Refused("the token is not known"));
  }

  static Optional<String> cookie(HttpRequest request, String name) {
    for (Cookie header : request.getHeaders(Cookie.class)) {
      for (HttpCookiePair pair : header.getCookies()) {
        if (pair.name().equals(name)) {
          return Optional.of(pair.value());
        }
      }
    }
    return Optional.empty();
  }
}
