package dev.tugboat.node.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.protocol.Ids;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads how a model ended from a node's HTTP API ({@code GET /api/v1/simulations/{id}/services/{modelId}}):
 * its reason and last log lines, which DOTS notifications do not carry. A token, when given, goes
 * as a bearer token. Any failure becomes one line saying why the lines are missing.
 */
final class ServiceLogs {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  /** Characters of one line shown: a container's output can hold anything, escapes included. */
  private static final int MAX_LINE = 2000;

  private final String api;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final ObjectMapper json = new ObjectMapper();

  ServiceLogs(String api, String token) {
    this.api = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
    this.token = token == null ? "" : token;
  }

  /** The lines to print under a FAILED model: its reason, then its last log lines. */
  List<String> of(String simulationId, String modelId) {
    URI uri = URI.create(api + "/api/v1/simulations/" + segment(simulationId) + "/services/" + segment(modelId));
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET();
    if (!token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 401 || response.statusCode() == 403) {
        return List.of("(last log lines unavailable: " + api + " answered " + response.statusCode()
            + "; set TUGBOAT_API_TOKEN to a viewer token)");
      }
      if (response.statusCode() != 200) {
        return List.of("(last log lines unavailable: " + uri + " answered " + response.statusCode() + ")");
      }
      JsonNode service = json.readTree(response.body());
      List<String> lines = new ArrayList<>();
      String reason = service.path("reason").asText("");
      if (!reason.isEmpty()) {
        lines.add("reason: " + Ids.printable(reason, MAX_LINE));
      }
      service.path("lastLogLines").forEach(l -> lines.add("| " + Ids.printable(l.asText(), MAX_LINE)));
      return lines;
    } catch (java.io.IOException e) {
      return List.of("(last log lines unavailable: " + api + " cannot be reached: " + e + "; see --api)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  private static String segment(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
