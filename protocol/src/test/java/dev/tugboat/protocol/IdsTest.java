package dev.tugboat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdsTest {

  @ParameterizedTest
  @ValueSource(strings = {"sim02-abc", "0", "Model_A.1", "ÄÖÜ", "a-b-c"})
  void acceptsIdsThatFitATopicSegment(String id) {
    assertTrue(Ids.problem("model id", id).isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "a+b", "a#b", "a b", "a\tb", "a\u0000b", "sim\uD83D\uDE80", "a\uD83D",
      "a\uDE80", "a\u0007", "a\u007f", "a\u0085", "a\u202Eb", "a\u200Bb", "a\uFFFE", "a\uFDD0", "a\uFDC0", "a\uE000",
      "a\u00A0b", "a\u2028b", "a\uFDF0", "\uFF21"})
  void rejectsIdsThatCannotBeATopicSegment(String id) {
    assertTrue(Ids.problem("model id", id).orElseThrow().startsWith("model id"));
  }

  @Test
  void rejectsNullAndOverlongIds() {
    assertTrue(Ids.problem("id", null).isPresent());
    assertTrue(Ids.problem("id", "x".repeat(Ids.MAX_LENGTH + 1)).isPresent());
  }

  @Test
  void printableEscapesEverythingALogLineCannotCarry() {
    assertEquals("a\\u0000b", Ids.printable("a\u0000b"));
    assertEquals("sim\\ud83d\\ude80", Ids.printable("sim\uD83D\uDE80"));
    assertEquals("a\\u000a\\u000db\\u202e", Ids.printable("a\n\rb\u202E"));
    assertEquals("a\\\\u0000", Ids.printable("a\\u0000"), "a backslash is escaped, so no escape can be forged");
    assertEquals("Grüße ✓", Ids.printable("Grüße ✓"));
    assertEquals(Ids.MAX_LENGTH, Ids.printable("x".repeat(1000)).length());
  }

  @Test
  void printableEscapesSurrogatesAndNoncharacters() {
    assertEquals("sim\\ud83d\\ude80", Ids.printable("sim\uD83D\uDE80"));
    assertEquals("a\\ufdd0\\ufffeb\\ud800", Ids.printable("a\uFDD0\uFFFEb\uD800"));
    assertEquals("Grüße ✓", Ids.printable("Grüße ✓"));
  }

  @Test
  void serviceIdRoundTripsThroughItsEntityId() {
    ServiceId id = new ServiceId("sim02-abc", "0");
    assertEquals("sim02-abc/0", id.entityId());
    assertEquals(id, ServiceId.fromEntityId(id.entityId()));
    assertThrows(IllegalArgumentException.class, () -> ServiceId.fromEntityId("no-separator"));
    assertThrows(IllegalArgumentException.class, () -> ServiceId.fromEntityId("a/b/c"));
  }
}
