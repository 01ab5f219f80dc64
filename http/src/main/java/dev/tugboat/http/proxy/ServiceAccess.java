package dev.tugboat.http.proxy;

import dev.tugboat.http.auth.Authenticator;
import dev.tugboat.http.auth.Identity;
import dev.tugboat.http.auth.Principal;
import dev.tugboat.http.auth.Role;
import dev.tugboat.http.auth.SessionCookies;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.model.headers.Cookie;
import org.apache.pekko.http.javadsl.model.headers.HttpCookiePair;

/**
 * Who may open a service's private port: its owner (the principal named as the service's owner,
 * whatever its role) and operators. The credentials, in order: a {@code ?token=} in the query (the
 * browser's first visit, answered with a cookie), an {@code Authorization: Bearer} header of a
 * token Tugboat knows, or a {@value #COOKIE} cookie of the service's scope
 * ({@link SessionCookies#serviceScope}); the API's session cookie and another service's cookie do
 * not count. An Authorization header Tugboat cannot read (the application's own) does not stand in
 * the way of the cookie. Pure: it answers a {@link Verdict}.
 */
public final class ServiceAccess {
  /** The cookie a browser holds for one proxied service; its scope names the service. */
  public static final String COOKIE = "tugboat_service";
  /** The query parameter a browser's first visit carries its token in. */
  public static final String TOKEN_PARAMETER = "token";

  private final Authenticator authenticator;

  public ServiceAccess(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  /** What to do with a request for a private port. */
  public sealed interface Verdict {}

  /** Forward it, for {@code principal}. */
  public record Allowed(Principal principal) implements Verdict {}

  /** A {@code ?token=} of someone allowed: answer a redirect without it and a service cookie. */
  public record Exchange(Principal principal) implements Verdict {}

  /** 401: no credentials that hold. */
  public record Unauthorized(String reason) implements Verdict {}

  /** 403: credentials of someone who is neither the owner nor an operator. */
  public record Forbidden(Principal principal) implements Verdict {}

  /** The verdict on {@code request} for a private port of {@code service}; {@code token}: its ?token=, if any. */
  public Verdict decide(HttpRequest request, ProxiedService service, Optional<String> token) {
    if (token.isPresent()) {
      Identity identity = authenticator.byToken(token.get());
      if (identity instanceof Identity.Known known) {
        return allowed(known.principal(), service) ? new Exchange(known.principal()) : new Forbidden(known.principal());
      }
      return new Unauthorized("the token in ?token= is not known");
    }
    Optional<Authorization> authorization = request.getHeader(Authorization.class);
    Optional<Identity> bearer = authorization.map(authenticator::bearer);
    if (bearer.isPresent() && bearer.get() instanceof Identity.Known known) {
      return verdict(known.principal(), service);
    }
    String scope = SessionCookies.serviceScope(service.name());
    for (Cookie header : request.getHeaders(Cookie.class)) {
      for (HttpCookiePair pair : header.getCookies()) {
        if (pair.name().equals(COOKIE)) {
          Optional<Principal> principal = authenticator.cookies().tokenHash(pair.value(), scope)
              .flatMap(authenticator.tokens()::byHash);
          if (principal.isPresent()) {
            return verdict(principal.get(), service);
          }
        }
      }
    }
    if (bearer.isPresent() && bearer.get() instanceof Identity.Refused refused) {
      return new Unauthorized(refused.reason());
    }
    return new Unauthorized("port is private: send a token of the service's owner or of an operator"
        + " (`Authorization: Bearer <token>`, or once `?token=<token>` from a browser)");
  }

  /** Whether {@code principal} may open {@code service}'s private ports. */
  public static boolean allowed(Principal principal, ProxiedService service) {
    return !principal.isAnonymous()
        && (principal.name().equals(service.owner()) || principal.role().covers(Role.OPERATOR));
  }

  private static Verdict verdict(Principal principal, ProxiedService service) {
    return allowed(principal, service) ? new Allowed(principal) : new Forbidden(principal);
  }
}
