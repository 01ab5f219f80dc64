package dev.tugboat.protocol.hosted;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Who may open a published port: anyone (public) or the service's owner and operators (private).
 * Written "public" / "private"; read in any case.
 */
public enum Access {
  PUBLIC, PRIVATE;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The access named {@code s} ("public" or "private", any case). */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Access of(String s) {
    for (Access a : values()) {
      if (a.name().equalsIgnoreCase(s)) {
        return a;
      }
    }
    throw new IllegalArgumentException("access must be \"public\" or \"private\", was \"" + s + "\"");
  }
}
