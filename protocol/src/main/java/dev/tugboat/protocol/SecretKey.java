package dev.tugboat.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The 256-bit AES key that seals secret environment values, and its short id (the first four
 * bytes of its SHA-256, in hex), which every sealed value records so that a value sealed under
 * another key is named as such. The key file holds the 32 bytes base64-encoded.
 */
public final class SecretKey {
  public static final int BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] bytes;
  private final String id;

  private SecretKey(byte[] bytes) {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("a secret key has " + BYTES + " bytes, this one " + bytes.length);
    }
    this.bytes = bytes.clone();
    this.id = idOf(this.bytes);
  }

  public static SecretKey of(byte[] bytes) {
    return new SecretKey(bytes);
  }

  /** A new random key. */
  public static SecretKey generate() {
    byte[] b = new byte[BYTES];
    RANDOM.nextBytes(b);
    return new SecretKey(b);
  }

  /** The key in {@code file}: 32 bytes, base64-encoded (surrounding white space ignored). */
  public static SecretKey read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IOException("the secret key file " + file + " does not hold base64 (" + BYTES
          + " random bytes, e.g. `head -c 32 /dev/urandom | base64`)");
    }
    if (decoded.length != BYTES) {
      throw new IOException("the secret key file " + file + " holds " + decoded.length + " bytes, not " + BYTES);
    }
    return new SecretKey(decoded);
  }

  /**
   * The key in {@code file}, made first (random, readable and writable by the owner only) when
   * there is none. A file another process made meanwhile is read, not overwritten.
   */
  public static SecretKey readOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      return read(file);
    }
    SecretKey key = generate();
    Files.createDirectories(file.toAbsolutePath().getParent());
    try {
      if (OwnerOnly.posix(file.toAbsolutePath().getParent())) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException e) {
      return read(file);
    }
    Files.writeString(file, Base64.getEncoder().encodeToString(key.bytes) + "\n", StandardCharsets.US_ASCII);
    return key;
  }

  /** The short id sealed values record: the first four bytes of the key's SHA-256, in hex. */
  public String id() {
    return id;
  }

  /**
   * A key for another purpose derived from this one (HMAC-SHA256 of {@code purpose} under this
   * key), so that one shared key file serves every use without one use's key opening another's.
   */
  public byte[] derive(String purpose) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(bytes, "HmacSHA256"));
      return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | java.security.InvalidKeyException e) {
      throw new IllegalStateException("the JDK has no usable HmacSHA256", e);
    }
  }

  byte[] bytes() {
    return bytes.clone();
  }

  private static String idOf(byte[] key) {
    try {
      return HexFormat.of().formatHex(Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(key), 4));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "SecretKey[" + id + "]";
  }
}
