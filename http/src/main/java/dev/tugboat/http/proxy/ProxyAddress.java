package dev.tugboat.http.proxy;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which service port a request is for, read from its host and path as {@link ServiceUrls} hands
 * them out. The path form {@code /{name}/rest} or {@code /{name}--{port}/rest} forwards
 * {@code /rest} (the prefix is stripped and sent as X-Forwarded-Prefix); the host form
 * {@code {name}-{port}.{domain}} forwards the whole path. A first path segment that the API, the
 * health checks, the metrics or the dashboard own is never a service's, nor is one that is not a
 * DNS label.
 *
 * @param name the service's name
 * @param port the port asked for; empty: the service's first published port
 * @param prefix what the path form strips ("/name" or "/name--8888"); empty for the host form
 * @param rest the raw (still percent-encoded) path forwarded to the replica; empty when the path
 *     form's prefix had no slash after it
 */
public record ProxyAddress(String name, OptionalInt port, String prefix, String rest) {

  /** First path segments that are Tugboat's own, so no service can be called so. */
  public static final Set<String> RESERVED = Set.of("api", "health", "metrics", "dashboard");

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  /** Whether this is the host form. */
  public boolean hostForm() {
    return prefix.isEmpty();
  }

  /** Whether {@code name} may name a service the proxy reaches: a DNS label without "--", not reserved. */
  public static boolean isServiceName(String name) {
    return LABEL.matcher(name).matches() && !name.contains(ServiceUrls.PORT_SEPARATOR) && !RESERVED.contains(name);
  }

  /** The path form of {@code rawPath}, or empty when the path is not a service's. */
  public static Optional<ProxyAddress> ofPath(String rawPath) {
    if (!rawPath.startsWith("/")) {
      return Optional.empty();
    }
    int slash = rawPath.indexOf('/', 1);
    String segment = slash < 0 ? rawPath.substring(1) : rawPath.substring(1, slash);
    String rest = slash < 0 ? "" : rawPath.substring(slash);
    String name = segment;
    OptionalInt port = OptionalInt.empty();
    int separator = segment.indexOf(ServiceUrls.PORT_SEPARATOR);
    if (separator >= 0) {
      name = segment.substring(0, separator);
      port = port(segment.substring(separator + ServiceUrls.PORT_SEPARATOR.length()));
      if (port.isEmpty()) {
        return Optional.empty();
      }
    }
    if (!isServiceName(name)) {
      return Optional.empty();
    }
    return Optional.of(new ProxyAddress(name, port, "/" + segment, rest));
  }

  /**
   * The host form of {@code host} (without a port) under {@code baseDomain}, or empty when the host
   * is not {@code {name}-{port}.{baseDomain}}.
   */
  public static Optional<ProxyAddress> ofHost(String host, String baseDomain, String rawPath) {
    String h = host.toLowerCase(Locale.ROOT);
    String suffix = "." + baseDomain.toLowerCase(Locale.ROOT);
    if (!h.endsWith(suffix)) {
      return Optional.empty();
    }
    String label = h.substring(0, h.length() - suffix.length());
    int dash = label.lastIndexOf('-');
    if (dash <= 0 || label.contains(".")) {
      return Optional.empty();
    }
    String name = label.substring(0, dash);
    OptionalInt port = port(label.substring(dash + 1));
    if (port.isEmpty() || !LABEL.matcher(name).matches() || name.contains(ServiceUrls.PORT_SEPARATOR)) {
      return Optional.empty();
    }
    return Optional.of(new ProxyAddress(name, port, "", rawPath.isEmpty() ? "/" : rawPath));
  }

  private static OptionalInt port(String digits) {
    if (!PORT.matcher(digits).matches()) {
      return OptionalInt.empty();
    }
    int port = Integer.parseInt(digits);
    return port >= 1 && port <= 65535 ? OptionalInt.of(port) : OptionalInt.empty();
  }
}
