package dev.tugboat.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The dashboard: {@code GET /} serves its page and {@code GET /dashboard/{file}} the page's
 * scripts and styles, all resources of this module (no CDN, no build step). Only the files named
 * in {@link #FILES} are served, read once at construction (a missing one fails the start), so a
 * path can neither list a folder nor reach outside it. The files hold no data: what the page shows
 * comes from the API, under its usual authentication.
 */
public final class DashboardRoute extends AllDirectives {

  /** Where the files live on the classpath. */
  static final String RESOURCE_DIR = "/dev/tugboat/http/dashboard/";

  private static final ContentType JAVASCRIPT = MediaTypes
      .customWithOpenCharset("text", "javascript", Map.of(), true, "js")
      .toContentType(HttpCharsets.UTF_8);

  /** Every file the dashboard has, with its content type; nothing else is served. */
  static final Map<String, ContentType> FILES = files();

  /**
   * The browser revalidates every file each time (the ETag makes that a 304), so a new node
   * version is picked up at once; the policy allows scripts, styles and requests to this server
   * only, and no framing.
   */
  static final List<HttpHeader> HEADERS = List.of(
      RawHeader.create("Cache-Control", "no-cache"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      RawHeader.create("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
          + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"));

  private final Map<String, Asset> assets;

  public DashboardRoute() {
    Map<String, Asset> loaded = new LinkedHashMap<>();
    FILES.forEach((name, type) -> loaded.put(name, Asset.load(name, type)));
    this.assets = Map.copyOf(loaded);
  }

  public Route route() {
    return concat(
        pathSingleSlash(() -> get(() -> serve("index.html"))),
        path(segment("dashboard").slash(segment()), name ->
            get(() -> assets.containsKey(name) ? serve(name) : reject())));
  }

  private Route serve(String name) {
    Asset asset = assets.get(name);
    return respondWithHeaders(HEADERS, () -> conditional(asset.etag(), () ->
        complete(HttpResponse.create().withEntity(HttpEntities.create(asset.type(), asset.bytes())))));
  }

  private static Map<String, ContentType> files() {
    Map<String, ContentType> files = new LinkedHashMap<>();
    files.put("index.html", ContentTypes.TEXT_HTML_UTF8);
    files.put("style.css", MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8));
    files.put("favicon.svg", MediaTypes.IMAGE_SVG_XML.toContentType());
    for (String script : List.of("app.js", "api.js", "live.js", "format.js", "list.js", "simulation.js",
        "timeline.js")) {
      files.put(script, JAVASCRIPT);
    }
    return Map.copyOf(files);
  }

  /** One file: its bytes, its type and an ETag of its content. */
  private record Asset(byte[] bytes, ContentType type, EntityTag etag) {
    static Asset load(String name, ContentType type) {
      try (InputStream in = DashboardRoute.class.getResourceAsStream(RESOURCE_DIR + name)) {
        if (in == null) {
          throw new IllegalStateException("the dashboard file " + RESOURCE_DIR + name + " is missing from the jar");
        }
        byte[] bytes = in.readAllBytes();
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
        return new Asset(bytes, type, EntityTag.create(hash, false));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the dashboard file " + name, e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is not available", e);
      }
    }
  }
}
