package dev.tugboat.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionCookiesTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final String TOKEN = TokenHash.newToken();
  private static final Principal ALICE = new Principal("alice", Role.OPERATOR, TokenHash.of(TOKEN));

  private static SessionCookies at(Instant now, byte fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, fill);
    return new SessionCookies(key, Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void aCookieNamesItsTokensHashInItsScopeUntilItExpires() {
    String value = at(NOW, (byte) 1).mint(ALICE, SessionCookies.API_SCOPE, Duration.ofHours(1));

    assertFalse(value.contains(TOKEN));
    assertEquals(Optional.of(ALICE.tokenHash()), at(NOW.plusSeconds(3599), (byte) 1).tokenHash(value, "api"));
    assertEquals(Optional.empty(), at(NOW.plusSeconds(3600), (byte) 1).tokenHash(value, "api"));
  }

  @Test
  void anotherScopeAnotherKeyOrATamperedValueOpensNothing() {
    SessionCookies cookies = at(NOW, (byte) 1);
    String value = cookies.mint(ALICE, SessionCookies.serviceScope("notebook"), Duration.ofHours(1));

    assertTrue(cookies.tokenHash(value, SessionCookies.serviceScope("notebook")).isPresent());
    assertEquals(Optional.empty(), cookies.tokenHash(value, SessionCookies.serviceScope("notebook2")));
    assertEquals(Optional.empty(), cookies.tokenHash(value, SessionCookies.API_SCOPE));
    assertEquals(Optional.empty(), at(NOW, (byte) 2).tokenHash(value, SessionCookies.serviceScope("notebook")));
    char[] chars = value.toCharArray();
    chars[3] = chars[3] == 'A' ? 'B' : 'A';
    assertEquals(Optional.empty(), cookies.tokenHash(new String(chars), SessionCookies.serviceScope("notebook")));
    for (String junk : new String[] {"", ".", "a.", ".b", "%%%.***", "a".repeat(5000)}) {
      assertEquals(Optional.empty(), cookies.tokenHash(junk, SessionCookies.API_SCOPE), junk);
    }
  }

  @Test
  void anAnonymousRequestHasNoSessionAndAShortKeyIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> at(NOW, (byte) 1).mint(Principal.anonymous(), "api", Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> new SessionCookies(new byte[16], Clock.systemUTC()));
  }
}
