package dev.tugboat.protocol.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventPositionTest {

  @Test
  void writesTheOrderingsJoinedByDashAndReadsThemBack() {
    EventPosition p = EventPosition.of(1042, 5531);
    assertEquals("1042-5531", p.toString());
    assertEquals(p, EventPosition.parse("1042-5531", 2));
    assertEquals(EventPosition.of(7), EventPosition.parse("7", 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "12", "1-2-3", "a-1", "1-", "-1", "1--2", "1-+2", "1- 2", "99999999999999999999-1",
      "1\n-2"})
  void refusesWhatIsNotAnIdOfATwoJournalStreamInOneLine(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventPosition.parse(text, 2));
    assertTrue(e.getMessage().contains("event id of this stream (2 numbers joined by '-')"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void refusesAnOverlongIdBeforeReadingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EventPosition.parse("1".repeat(500), 1));
    assertTrue(e.getMessage().contains("longer than 200"), e.getMessage());
  }

  @Test
  void advancesOnlyPastWhatItHasSeenInThatJournal() {
    EventPosition p = EventPosition.of(10, 20);
    assertEquals(Optional.of(EventPosition.of(11, 20)), p.advance(0, 11));
    assertEquals(Optional.of(EventPosition.of(10, 25)), p.advance(1, 25));
    assertEquals(Optional.empty(), p.advance(0, 10), "at the position: already seen");
    assertEquals(Optional.empty(), p.advance(1, 3), "below the position: already seen");
  }

  @Test
  void reachesAnotherWhenAtOrPastItInEveryJournal() {
    assertTrue(EventPosition.of(5, 5).reaches(EventPosition.of(5, 4)));
    assertFalse(EventPosition.of(5, 5).reaches(EventPosition.of(4, 6)));
  }
}
