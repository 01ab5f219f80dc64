package dev.tugboat.http.proxy;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a long-lived service's published ports are reached. The path form is served by every
 * node on its HTTP port: {@code {base}/{name}/} is the service's first published port,
 * {@code {base}/{name}--{port}/} any of its ports (a service name never holds "--"). With a base
 * domain configured, the host form {@code {scheme}://{name}-{port}.{domain}/} is given instead,
 * so an application that uses absolute paths works unchanged.
 *
 * @param publicBase the URL clients reach this cluster's HTTP port at, without a trailing slash
 * @param baseDomain the wildcard domain of the host form, when one is configured
 */
public record ServiceUrls(URI publicBase, Optional<String> baseDomain) {
  /** Separates a name from a port in the path form's segment. */
  public static final String PORT_SEPARATOR = "--";

  public ServiceUrls {
    Objects.requireNonNull(publicBase, "publicBase");
    Objects.requireNonNull(baseDomain, "baseDomain");
    String s = publicBase.toString();
    if (s.endsWith("/")) {
      publicBase = URI.create(s.substring(0, s.length() - 1));
    }
  }

  /** The URL of {@code port} of service {@code name}; {@code first}: it is the first published port. */
  public String url(String name, int port, boolean first) {
    if (baseDomain.isPresent()) {
      return publicBase.getScheme() + "://" + name + "-" + port + "." + baseDomain.get() + "/";
    }
    return publicBase + "/" + (first ? name : name + PORT_SEPARATOR + port) + "/";
  }

  /** {@link #url} followed by the port's initial path ("/" or "/lab?x=1"). */
  public String initialUrl(String name, int port, boolean first, String initialPath) {
    String url = url(name, port, first);
    return url + (initialPath.startsWith("/") ? initialPath.substring(1) : initialPath);
  }
}
