package dev.tugboat.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Deterministic Kubernetes names for DOTS ids. The pod name is the DOTS name
 * {@code {simulatorId}-{simulationId}-{modelId}} lower-cased whenever that is already a valid
 * DNS-1123 label of at most 63 characters; otherwise it is sanitised, shortened, and given a
 * hash suffix of the exact ids, so distinct services never share a name and a retry never
 * yields a second pod.
 */
public final class PodNames {
  public static final int MAX_NAME = 63;
  public static final int MAX_LABEL_VALUE = 63;
  private static final int HASH_CHARS = 8;
  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

  private PodNames() {}

  public static String podName(String simulatorId, String simulationId, String modelId) {
    String plain = (simulatorId + "-" + simulationId + "-" + modelId).toLowerCase(Locale.ROOT);
    if (plain.length() <= MAX_NAME && isDns1123Label(plain)) {
      return plain;
    }
    String hash = hash(simulatorId + "\u0000" + simulationId + "\u0000" + modelId);
    String base = sanitize(plain, "[^a-z0-9-]");
    base = trimTo(base, MAX_NAME - HASH_CHARS - 1, "-");
    return base.isEmpty() ? "m-" + hash : base + "-" + hash;
  }

  public static boolean isDns1123Label(String s) {
    return s != null && s.length() <= MAX_NAME && DNS1123_LABEL.matcher(s).matches();
  }

  public static boolean isValidLabelValue(String s) {
    return s != null && (s.isEmpty() || (s.length() <= MAX_LABEL_VALUE && LABEL_VALUE.matcher(s).matches()));
  }

  /**
   * A label value standing for the id: the id itself when Kubernetes accepts it, otherwise a
   * sanitised, shortened form with a hash suffix. The exact id always travels in an annotation.
   */
  public static String labelValue(String id) {
    if (isValidLabelValue(id)) {
      return id;
    }
    String hash = hash(id);
    String base = sanitize(id, "[^A-Za-z0-9_.-]");
    base = trimTo(base, MAX_LABEL_VALUE - HASH_CHARS - 1, "-_.");
    return base.isEmpty() ? "x-" + hash : base + "-" + hash;
  }

  private static String sanitize(String s, String invalid) {
    return s.replaceAll(invalid, "-").replaceAll("-{2,}", "-");
  }

  private static String trimTo(String s, int max, String strip) {
    String t = s.length() > max ? s.substring(0, max) : s;
    int start = 0;
    int end = t.length();
    while (start < end && (strip.indexOf(t.charAt(start)) >= 0)) {
      start++;
    }
    while (end > start && (strip.indexOf(t.charAt(end - 1)) >= 0)) {
      end--;
    }
    return t.substring(start, end);
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, HASH_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
