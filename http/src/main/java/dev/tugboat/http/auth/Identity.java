package dev.tugboat.http.auth;

/**
 * What a request's credentials say about who sent it: a known principal (and whether a cookie
 * said so, which matters for cross-site checks), no credentials at all, or credentials that do
 * not hold, with the reason to answer.
 */
public sealed interface Identity {

  /** A known token, sent as a bearer token or through a session cookie. */
  record Known(Principal principal, boolean viaCookie) implements Identity {}

  /** No credentials; {@code note} says why a cookie that was sent did not count, or is empty. */
  record None(String note) implements Identity {}

  /** Credentials that were sent and do not hold: answered 401 whatever the route. */
  record Refused(String reason) implements Identity {}
}
