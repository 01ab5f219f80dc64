package dev.tugboat.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3 description of the HTTP API ({@code GET /api/v1/openapi.json}), a resource of this
 * module kept in step with the routes and docs/http-api.md by OpenApiDescriptionIT. Read once; a
 * jar without it fails at start-up, not on the first request.
 */
final class OpenApiDocument {

  static final String RESOURCE = "/dev/tugboat/http/openapi.json";

  private OpenApiDocument() {}

  static byte[] load() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the OpenAPI description " + RESOURCE + " is missing from the http module");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the OpenAPI description " + RESOURCE, e);
    }
  }
}
