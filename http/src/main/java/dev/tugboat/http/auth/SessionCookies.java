package dev.tugboat.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Session cookies: what a browser holds after it signed in with a token, because an EventSource
 * (and a plain link) cannot send an Authorization header. A cookie names the token's hash, a scope
 * and an expiry, signed with HMAC-SHA256 under a key every node of the cluster shares; it never
 * holds the token. The scope keeps a cookie to what it was made for: {@code api} for the control
 * plane, {@code service:<name>} for one proxied service, so one service's cookie opens no other.
 * The token is looked up again on every use, so removing it ends its sessions.
 */
public final class SessionCookies {
  public static final String API_SCOPE = "api";
  private static final String VERSION = "v1";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  private final Clock clock;

  /** {@code key}: at least 32 bytes, the same on every node. */
  public SessionCookies(byte[] key, Clock clock) {
    if (key.length < 32) {
      throw new IllegalArgumentException("a session cookie key has at least 32 bytes, this one " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.clock = clock;
  }

  /** The scope of the cookie for the proxied service {@code name}. */
  public static String serviceScope(String name) {
    return "service:" + name;
  }

  /** A cookie value for {@code principal} in {@code scope}, valid for {@code ttl}. */
  public String mint(Principal principal, String scope, Duration ttl) {
    if (principal.isAnonymous()) {
      throw new IllegalArgumentException("an anonymous request has no session");
    }
    long expires = clock.instant().plus(ttl).getEpochSecond();
    String payload = VERSION + "|" + scope + "|" + principal.tokenHash() + "|" + expires;
    byte[] payloadBytes = payload.getBytes(StandardCharsets.UTF_8);
    return B64.encodeToString(payloadBytes) + "." + B64.encodeToString(sign(payloadBytes));
  }

  /**
   * The token hash a cookie value names, when its signature holds, it is unexpired and made for
   * {@code scope}; empty for anything else, including values that are not cookies of ours.
   */
  public Optional<String> tokenHash(String value, String scope) {
    int dot = value.indexOf('.');
    if (dot <= 0 || dot == value.length() - 1 || value.length() > 1024) {
      return Optional.empty();
    }
    byte[] payload;
    byte[] signature;
    try {
      payload = B64D.decode(value.substring(0, dot));
      signature = B64D.decode(value.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(sign(payload), signature)) {
      return Optional.empty();
    }
    String[] fields = new String(payload, StandardCharsets.UTF_8).split("\\|", -1);
    if (fields.length != 4 || !VERSION.equals(fields[0]) || !scope.equals(fields[1])) {
      return Optional.empty();
    }
    long expires;
    try {
      expires = Long.parseLong(fields[3]);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(Instant.ofEpochSecond(expires))) {
      return Optional.empty();
    }
    return Optional.of(fields[2]);
  }

  private byte[] sign(byte[] payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(payload);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("the JDK has no usable HmacSHA256", e);
    }
  }
}
