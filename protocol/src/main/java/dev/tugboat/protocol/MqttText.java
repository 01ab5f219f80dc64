package dev.tugboat.protocol;

import java.util.Optional;

/**
 * Whether an MQTT 3.1.1 client (Paho v3) can carry a string as a topic name: the one predicate
 * both directions of the MQTT bridge apply. It refuses every char Paho 1.2.5 refuses when it
 * encodes or decodes a topic, and nothing a DOTS topic built from ASCII or Latin ids contains.
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
   * True for a char Paho refuses. Paho refuses every high surrogate, even one that starts a valid
   * pair (its pair check is inverted), so any character outside the Basic Multilingual Plane;
   * and every char from U+FDD0 up (its noncharacter range check is too wide), which takes in
   * U+FFFD, what Java decodes bytes that are not UTF-8 to. Also U+FDC0..U+FDCF: HiveMQ CE closes
   * the connection of a client that publishes one in a topic, so a notification on such a topic
   * would cut the publisher off at every resend.
   */
  public static boolean refused(char c) {
    return Character.isSurrogate(c) || Character.isISOControl(c) || c >= '\uFDC0';
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
    if (c <= '\uFDDF' || c >= '\uFFFE') {
      return code + " (a Unicode noncharacter)";
    }
    if (c < '\uFDD0') {
      return code + " (U+FDC0..U+FDCF, which HiveMQ CE refuses in a topic)";
    }
    return code + " (from U+FDD0 up, which Paho v3 refuses)";
  }
}
