package dev.tugboat.http.proxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Undoes the Kubernetes API server's pod proxy's rewriting of addresses in a replica's answer
 * headers: the API server prefixes a redirect to the pod's own host (or to a bare path) with its
 * pod proxy path, {@code [https://{api server}]/api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy},
 * which would send a browser to the API server's address space (Tugboat's own {@code /api} through
 * the proxy) and show the namespace and pod. {@code Location}, {@code Content-Location} and the URL
 * of a {@code Refresh} header that carry that prefix get the proxy's own prefix of the service
 * instead ({@code /{name}} or {@code /{name}--{port}} for the path form, nothing for the host form),
 * as a path on the caller's host. Every other value is left as the replica sent it.
 */
final class HopLocations {

  private static final Pattern REFRESH = Pattern.compile("^(\\s*\\d+\\s*;\\s*url\\s*=\\s*)(\\S+)(\\s*)$",
      Pattern.CASE_INSENSITIVE);

  private HopLocations() {}

  /** {@code headers} with the pod proxy prefix {@code podPath} of {@code server} replaced by {@code callerPrefix}. */
  static List<HttpHeader> rewrite(List<HttpHeader> headers, URI server, String podPath, String callerPrefix) {
    List<HttpHeader> out = new ArrayList<>(headers.size());
    for (HttpHeader h : headers) {
      String name = h.lowercaseName();
      if (name.equals("location") || name.equals("content-location")) {
        String value = address(h.value(), server, podPath, callerPrefix);
        out.add(value.equals(h.value()) ? h : RawHeader.create(h.name(), value));
      } else if (name.equals("refresh")) {
        Matcher m = REFRESH.matcher(h.value());
        String value = m.matches() ? m.group(1) + address(m.group(2), server, podPath, callerPrefix) + m.group(3)
            : h.value();
        out.add(value.equals(h.value()) ? h : RawHeader.create(h.name(), value));
      } else {
        out.add(h);
      }
    }
    return out;
  }

  /** {@code value} as the caller's address when it is one under the pod proxy path; otherwise unchanged. */
  static String address(String value, URI server, String podPath, String callerPrefix) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      return value;
    }
    if (uri.getRawAuthority() != null && !sameServer(uri, server) || uri.getRawPath() == null) {
      return value;
    }
    String path = uri.getRawPath().replace("%3A", ":").replace("%3a", ":");
    if (!path.startsWith(podPath) || path.length() > podPath.length() && path.charAt(podPath.length()) != '/') {
      return value;
    }
    String rest = path.substring(podPath.length());
    return callerPrefix + (rest.isEmpty() ? "/" : rest)
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
        + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment());
  }

  private static boolean sameServer(URI uri, URI server) {
    return uri.getHost() != null && uri.getHost().toLowerCase(Locale.ROOT).equals(server.getHost().toLowerCase(Locale.ROOT))
        && port(uri) == port(server);
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return scheme.equals("http") || scheme.equals("ws") ? 80 : 443;
  }
}
