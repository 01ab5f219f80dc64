package dev.tugboat.protocol;

import java.util.Optional;

/**
 * Validation of the identifiers that arrive on the wire (simulator, simulation and model ids).
 * An id is usable when it can stand as one MQTT topic segment and as an entity id: non-empty,
 * at most {@link #MAX_LENGTH} characters, no '/', '+', '#', no whitespace or control characters.
 * Whether it also makes a readable pod name is {@link PodNames}' concern: every valid id does.
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
      return Optional.of(kind + " is longer than " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == '/' || c == '+' || c == '#') {
        return Optional.of(kind + " '" + id + "' contains the MQTT topic character '" + c + "'");
      }
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        return Optional.of(kind + " '" + printable(id) + "' contains whitespace or a control character");
      }
    }
    return Optional.empty();
  }

  public static boolean isValid(String id) {
    return problem("id", id).isEmpty();
  }

  /**
   * The id with every char an MQTT client cannot carry ({@link MqttText#refused}: control
   * characters, surrogates, noncharacters) escaped as a backslash, 'u' and four hex digits, so
   * a log line never carries raw bytes.
   */
  public static String printable(String id) {
    if (id == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(id.length());
    for (int i = 0; i < id.length() && i < MAX_LENGTH; i++) {
      char c = id.charAt(i);
      if (MqttText.refused(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
