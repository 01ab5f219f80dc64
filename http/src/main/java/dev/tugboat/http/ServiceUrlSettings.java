package dev.tugboat.http;

import com.typesafe.config.Config;
import dev.tugboat.http.proxy.ServiceUrls;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads {@link ServiceUrls} from {@code tugboat.http.public-url} and
 * {@code tugboat.http.services-domain}; invalid values fail at start-up with the setting's name.
 */
public final class ServiceUrlSettings {
  private static final Pattern DOMAIN =
      Pattern.compile("(?=.{1,200}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

  private ServiceUrlSettings() {}

  public static ServiceUrls fromConfig(Config root) {
    Config c = root.getConfig("tugboat.http");
    String publicUrl = c.getString("public-url").strip();
    String domain = c.getString("services-domain").strip().toLowerCase(java.util.Locale.ROOT);
    if (publicUrl.isEmpty()) {
      String host = c.getString("interface");
      host = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host.contains(":") ? "[" + host + "]" : host;
      publicUrl = "http://" + host + ":" + c.getInt("port");
    }
    problem(publicUrl).ifPresent(p -> {
      throw new IllegalArgumentException("tugboat.http.public-url (TUGBOAT_PUBLIC_URL) " + p);
    });
    if (!domain.isEmpty() && !DOMAIN.matcher(domain).matches()) {
      throw new IllegalArgumentException("tugboat.http.services-domain (TUGBOAT_SERVICES_DOMAIN) is not a DNS domain: '"
          + domain + "'");
    }
    return new ServiceUrls(URI.create(publicUrl), domain.isEmpty() ? Optional.empty() : Optional.of(domain));
  }

  /** Why {@code url} cannot be the public URL, or empty when it can. */
  public static Optional<String> problem(String url) {
    try {
      URI u = new URI(url);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
        return Optional.of("must start with http:// or https://, was '" + url + "'");
      }
      if (u.getHost() == null || u.getRawQuery() != null || u.getRawFragment() != null) {
        return Optional.of("must be a URL with a host and without query or fragment, was '" + url + "'");
      }
      return Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.of("is not a URL: " + e.getMessage());
    }
  }
}
