package dev.tugboat.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenFileTest {
  private static final String TOKEN = TokenHash.newToken();
  private static final String HASH = TokenHash.of(TOKEN);

  @Test
  void readsHashesRolesAndNamesSkippingCommentsAndBlankLines() throws IOException {
    String other = TokenHash.of(TokenHash.newToken());
    Map<String, Principal> byHash = TokenFile.parse("f", List.of(
        "# operators", "", "  " + HASH + "   operator  alice  ", other + " viewer bob@example.org"));

    assertEquals(new Principal("alice", Role.OPERATOR, HASH), byHash.get(HASH));
    assertEquals(new Principal("bob@example.org", Role.VIEWER, other), byHash.get(other));
    assertEquals(2, byHash.size());
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "HASH operator                   | 3 fields",
      "HASH admin alice                | role must be viewer or operator",
      "HASH operator al/ice            | the name must be",
      "TOKEN operator alice            | not a token hash",
      "sha256:ABC operator alice       | not a token hash"})
  void aBadLineIsNamedByNumberWithoutQuotingIt(String line, String problem) {
    String text = line.replace("HASH", HASH).replace("TOKEN", TOKEN);
    IOException e = assertThrows(IOException.class, () -> TokenFile.parse("tokens.txt", List.of("# c", text)));

    assertTrue(e.getMessage().startsWith("tokens.txt line 2: "), e.getMessage());
    assertTrue(e.getMessage().contains(problem), e.getMessage());
    assertFalse(e.getMessage().contains(TOKEN), "a pasted token must never reach a message");
  }

  @Test
  void aNameOrHashListedTwiceIsRefused() {
    String other = TokenHash.of(TokenHash.newToken());
    assertThrows(IOException.class, () -> TokenFile.parse("f", List.of(HASH + " operator a", other + " viewer a")));
    assertThrows(IOException.class, () -> TokenFile.parse("f", List.of(HASH + " operator a", HASH + " viewer b")));
  }

  @Test
  void newTokensAreDistinctAndHashToTheStoredForm() {
    String a = TokenHash.newToken();
    String b = TokenHash.newToken();
    assertFalse(a.equals(b));
    assertTrue(a.startsWith("tgb_") && a.length() > 40, a);
    assertTrue(TokenHash.isHash(TokenHash.of(a)));
    assertEquals(TokenHash.of(a), TokenHash.of(a));
    assertFalse(TokenHash.isHash(a));
  }
}
