package dev.tugboat.protocol;

import java.util.Optional;

/**
 * Whether an MQTT 3.1.1 client (Paho v3) can carry a string as a topic name: the one predicate
 * both directions of the MQTT bridge apply. It refuses a superset of what Paho 1.2.5 refuses when
 * it encodes or decodes a topic, and nothing a DOTS topic built from valid ids contains.
 */
public final class MqttText {

  private MqttText() {}

  /** Returns why {@code topic} cannot be carried, or empty when it can. */
  public static Optional<String> problem(String topic) {
    if (topic == null) {
      return Optional.of("the topic is null");
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (refused(c)) {
        return Optional.of("it contains " + describe(c) + " at index " + i);
      }
    }
    return Optional.empty();
  }

  public static boolean carriable(String topic) {
    return problem(topic).isEmpty();
  }

  /**
   * True for a char Paho refuses, or that marks a topic whose bytes were not UTF-8. Paho refuses
   * every high surrogate, even one that starts a valid pair (its pair check is inverted), so a
   * character outside the Basic Multilingual Plane is refused along with lone surrogates.
   */
  public static boolean refused(char c) {
    return Character.isSurrogate(c)
        || Character.isISOControl(c)
        || (c >= '\uFDD0' && c <= '\uFDDF')
        // U+FFFE and U+FFFF are noncharacters; U+FFFD is what Java decodes malformed UTF-8 to.
        || c >= '\uFFFD';
  }

  private static String describe(char c) {
    String code = String.format("U+%04X", (int) c);
    if (Character.isSurrogate(c)) {
      return code + " (a surrogate: a character outside the Basic Multilingual Plane or a lone half)";
    }
    if (Character.isISOControl(c)) {
      return code + " (a control character)";
    }
    if (c == '\uFFFD') {
      return code + " (the replacement character: the bytes were not valid UTF-8)";
    }
    return code + " (a Unicode noncharacter)";
  }
}
