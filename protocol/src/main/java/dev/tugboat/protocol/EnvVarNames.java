package dev.tugboat.protocol;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule Kubernetes applies to a container's environment variable names (letters, digits,
 * '_', '-', '.', not starting with a digit, not "." or ".." or a name starting with ".."): a pod
 * with any other name is refused by the API server, so such a model is refused at the door.
 */
public final class EnvVarNames {
  public static final int MAX_LENGTH = 256;
  private static final Pattern NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

  private EnvVarNames() {}

  /** The reason {@code name} is not a valid environment variable name, or empty when it is one. */
  public static Optional<String> problem(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("an environment variable has no name");
    }
    if (name.length() > MAX_LENGTH) {
      return Optional.of("the environment variable name '" + Ids.printable(name.substring(0, 32))
          + "…' is longer than " + MAX_LENGTH + " characters");
    }
    if (!NAME.matcher(name).matches() || name.startsWith("..") || name.equals(".")) {
      return Optional.of("'" + Ids.printable(name) + "' is not a valid environment variable name"
          + " (letters, digits, '_', '-', '.'; not starting with a digit or '..')");
    }
    return Optional.empty();
  }
}
