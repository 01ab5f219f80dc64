package dev.tugboat.http.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a token may do. A {@code viewer} reads (lists, views, the event stream, the dashboard); an
 * {@code operator} also changes things (deploy, terminate, retry, abandon, services).
 */
public enum Role {
  VIEWER,
  OPERATOR;

  /** Whether this role may do what {@code needed} may. */
  public boolean covers(Role needed) {
    return this.ordinal() >= needed.ordinal();
  }

  /** The role's name as written in a tokens file and in answers. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named {@code label} ({@code viewer}, {@code operator}), if there is one. */
  public static Optional<Role> parse(String label) {
    for (Role r : values()) {
      if (r.label().equals(label)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
