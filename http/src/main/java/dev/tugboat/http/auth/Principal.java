package dev.tugboat.http.auth;

import java.util.Objects;

/**
 * Who a request acts for: the name a token was issued to and its role. {@code tokenHash} ties a
 * session cookie back to its token, so that removing the token from the tokens file ends the
 * sessions made with it. The anonymous principal has no token and the viewer role.
 */
public record Principal(String name, Role role, String tokenHash) {
  public static final String ANONYMOUS_NAME = "anonymous";

  public Principal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
  }

  /** The principal of a request without a token when anonymous reading is on. */
  public static Principal anonymous() {
    return new Principal(ANONYMOUS_NAME, Role.VIEWER, null);
  }

  public boolean isAnonymous() {
    return tokenHash == null;
  }

  /** Never the hash: a log line or an answer may carry this. */
  @Override
  public String toString() {
    return name + " (" + role.label() + ")";
  }
}
