package dev.tugboat.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {
  @TempDir
  Path dir;

  /** A clock the test moves. */
  private static final class Moving extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static void write(Path file, String text, long stamp) throws IOException {
    Files.writeString(file, text);
    Files.setLastModifiedTime(file, FileTime.fromMillis(stamp));
  }

  @Test
  void aChangedFileIsReadAgainAfterTheRecheckAndABrokenOneKeepsTheLastGoodSet() throws IOException {
    String alice = TokenHash.newToken();
    String bob = TokenHash.newToken();
    Path file = dir.resolve("tokens");
    write(file, TokenHash.of(alice) + " operator alice\n", 1_000);
    Moving clock = new Moving();
    Tokens tokens = Tokens.fromFile(file, Duration.ofSeconds(2), clock);
    assertEquals("alice", tokens.byToken(alice).orElseThrow().name());

    write(file, TokenHash.of(bob) + " viewer bob\n", 2_000);
    assertTrue(tokens.byToken(alice).isPresent(), "not looked at again before the recheck");
    clock.now = clock.now.plusSeconds(2);
    assertEquals(Optional.empty(), tokens.byToken(alice), "removed from the file: refused");
    assertEquals(Role.VIEWER, tokens.byToken(bob).orElseThrow().role());

    write(file, "garbage\n", 3_000);
    clock.now = clock.now.plusSeconds(2);
    assertTrue(tokens.byToken(bob).isPresent(), "a broken file keeps the last good set");
    Files.delete(file);
    clock.now = clock.now.plusSeconds(2);
    assertTrue(tokens.byToken(bob).isPresent(), "so does a vanished one");
  }

  @Test
  void aBrokenFileFailsTheStart() throws IOException {
    Path file = dir.resolve("tokens");
    Files.writeString(file, "tgb_rawtoken operator alice\n");
    assertThrows(IOException.class, () -> Tokens.fromFile(file, Duration.ofSeconds(2), Clock.systemUTC()));
    assertThrows(IOException.class,
        () -> Tokens.fromFile(dir.resolve("missing"), Duration.ofSeconds(2), Clock.systemUTC()));
  }

  @Test
  void anonymousReadingIsAutoTrueOrFalseAndNothingElse() {
    assertTrue(AuthSettings.anonymousRead("auto", true));
    assertEquals(false, AuthSettings.anonymousRead("auto", false));
    assertTrue(AuthSettings.anonymousRead("TRUE", false));
    assertEquals(false, AuthSettings.anonymousRead("false", true));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AuthSettings.anonymousRead("maybe", true));
    assertTrue(e.getMessage().contains("TUGBOAT_ANONYMOUS_READ"), e.getMessage());
  }
}
