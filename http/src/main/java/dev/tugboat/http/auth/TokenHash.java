package dev.tugboat.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Tokens and their stored form. A token is 32 random bytes (base64url, prefixed {@code tgb_} so
 * that a leaked one is recognisable); a tokens file holds only its SHA-256. A fast hash is enough
 * because tokens are random, not chosen by people: there is no dictionary to try.
 */
public final class TokenHash {
  public static final String PREFIX = "sha256:";
  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenHash() {}

  /** A new random token. */
  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "tgb_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The stored form of {@code token}: {@code sha256:} and 64 hex digits. */
  public static String of(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return PREFIX + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Whether {@code text} has the stored form (so a raw token pasted into the file is refused). */
  public static boolean isHash(String text) {
    if (!text.startsWith(PREFIX) || text.length() != PREFIX.length() + 64) {
      return false;
    }
    for (int i = PREFIX.length(); i < text.length(); i++) {
      if (Character.digit(text.charAt(i), 16) < 0 || Character.isUpperCase(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
