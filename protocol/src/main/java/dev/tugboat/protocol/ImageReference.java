package dev.tugboat.protocol;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The grammar of a container image reference as registries and the kubelet parse it
 * ({@code [domain[:port]/]path[:tag][@digest]}, path components lower-case). A reference outside
 * it would be accepted into a pod spec and then fail to pull forever, so it is refused up front.
 */
public final class ImageReference {
  /** Longest reference accepted: a 255-character name plus a tag and a sha512 digest. */
  public static final int MAX_LENGTH = 512;

  private static final String ALNUM = "[a-z0-9]+";
  private static final String SEPARATOR = "(?:[._]|__|-+)";
  private static final String COMPONENT = ALNUM + "(?:" + SEPARATOR + ALNUM + ")*";
  private static final String DOMAIN_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final String DOMAIN = "(?:" + DOMAIN_LABEL + "(?:\\." + DOMAIN_LABEL + ")*|\\[[0-9a-fA-F:.]+\\])"
      + "(?::[0-9]{1,5})?";
  private static final String TAG = "[\\w][\\w.-]{0,127}";
  private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
  private static final Pattern REFERENCE = Pattern.compile(
      "(?:" + DOMAIN + "/)?" + COMPONENT + "(?:/" + COMPONENT + ")*(?::" + TAG + ")?(?:@" + DIGEST + ")?");
  private static final int MAX_NAME = 255;

  private ImageReference() {}

  /** The reason {@code image} is not a pullable reference, or empty when it is one. */
  public static Optional<String> problem(String image) {
    if (image == null || image.isBlank()) {
      return Optional.of("has no imageUrl");
    }
    if (image.length() > MAX_LENGTH) {
      return Optional.of("has an imageUrl longer than " + MAX_LENGTH + " characters");
    }
    if (!REFERENCE.matcher(image).matches() || nameLength(image) > MAX_NAME) {
      return Optional.of("has an imageUrl that is not a valid image reference: '" + Ids.printable(image) + "'");
    }
    return Optional.empty();
  }

  /** Length of the repository name: the reference without its tag and digest. */
  private static int nameLength(String image) {
    int end = image.indexOf('@');
    String withoutDigest = end < 0 ? image : image.substring(0, end);
    int lastSlash = withoutDigest.lastIndexOf('/');
    int colon = withoutDigest.indexOf(':', lastSlash + 1);
    return colon < 0 ? withoutDigest.length() : colon;
  }
}
