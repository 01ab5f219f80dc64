package dev.tugboat.protocol;

import java.util.Optional;

/**
 * Validation of the identifiers that arrive on the wire (simulator, simulation and model ids).
 * An id is usable when every place it travels can carry it unchanged: one MQTT topic segment
 * (no '/', '+', '#'), a topic the MQTT 3.1.1 client can encode and decode, an entity id, a log
 * line. So it is non-empty, at most {@link #MAX_LENGTH} characters, and holds no
 * whitespace, control, format (e.g. bidirectional overrides), private-use, unassigned or
 * supplementary-plane characters, and none from U+FDC0 up (see {@link MqttText#refused}). Whether it also makes a readable
 * pod name is {@link PodNames}' concern: every valid id does.
 */
public final class Ids {
  public static final int MAX_LENGTH = 253;

  private Ids() {}

  /** Returns the reason the id is unusable, or empty when it is fine. */
  public static Optional<String> problem(String kind, String id) {
    if (id == null || id.isEmpty()) {
      return Optional.of(kind + " is empty");
    }
    if (id.length() > MAX_LENGTH) {
      return Optional.of(kind + " '" + printable(id) + "…' is longer than " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == '/' || c == '+' || c == '#') {
        return Optional.of(kind + " '" + printable(id) + "' contains the MQTT topic character '" + c + "'");
      }
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        return Optional.of(kind + " '" + printable(id) + "' contains whitespace");
      }
      if (!isCarriedUnchanged(c)) {
        return Optional.of(kind + " '" + printable(id) + "' contains the character " + escape(c)
            + ", which MQTT 3.1.1 clients, Kubernetes or log lines cannot carry unchanged");
      }
    }
    return Optional.empty();
  }

  public static boolean isValid(String id) {
    return problem("id", id).isEmpty();
  }

  /**
   * The id as it may stand in a log line or an error message: every character outside the
   * carried-unchanged set (what {@link MqttText#refused} refuses, and format, bidirectional,
   * private-use and unassigned characters) is escaped as a backslash, 'u' and four hex digits, and
   * a backslash doubled, so no input can forge or hide log content; at most {@link #MAX_LENGTH}
   * characters are shown.
   */
  public static String printable(String id) {
    return printable(id, MAX_LENGTH);
  }

  /**
   * Any text from outside (an id, a container's log line, a pod's status message) as it may stand
   * in a log line: escaped as {@link #printable(String)}, at most {@code max} characters shown.
   */
  public static String printable(String id, int max) {
    if (id == null) {
      return "null";
    }
    int shown = Math.min(id.length(), max);
    StringBuilder b = null;
    for (int i = 0; i < shown; i++) {
      char c = id.charAt(i);
      boolean plain = c != '\\' && isCarriedUnchanged(c) && !Character.isWhitespace(c) || c == ' ';
      if (b == null) {
        if (plain) {
          continue;
        }
        b = new StringBuilder(shown + 16).append(id, 0, i);
      }
      if (plain) {
        b.append(c);
      } else if (c == '\\') {
        b.append("\\\\");
      } else {
        b.append(escape(c));
      }
    }
    if (b == null) {
      return shown == id.length() ? id : id.substring(0, shown);
    }
    return b.toString();
  }

  /**
   * True for a character the MQTT 3.1.1 client carries ({@link MqttText#refused}) that is also
   * assigned, printable and not a private-use, format or line-separating character.
   */
  static boolean isCarriedUnchanged(char c) {
    if (MqttText.refused(c)) {
      return false;
    }
    return switch (Character.getType(c)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
          Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
      default -> true;
    };
  }

  private static String escape(char c) {
    return String.format("\\u%04x", (int) c);
  }
}
