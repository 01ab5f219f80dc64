package dev.tugboat.http.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tugboat.http.Json;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Tells the API server's own failures on the pod-proxy hop from the replica's answers: the API
 * server answers a Kubernetes {@code Status} object (JSON, kind Status, apiVersion v1) when it
 * refuses the proxy's credentials (401, 403), has no such pod (404) or cannot reach it (500, 502,
 * 503). The proxy answers those itself, as its own 502 or 503, so that a caller never takes the
 * API server's refusal for the service's. The caller gets a reason of the proxy's own: the API
 * server's message (which may name the proxy's service account or the pod's IP) is only logged.
 */
public final class ApiServerAnswer {

  /** Statuses the API server's pod proxy fails with; any other answer is the replica's. */
  static final Set<Integer> FAILURE_CODES = Set.of(401, 403, 404, 500, 502, 503);
  /** A Status object is small; a larger body is the replica's own. */
  static final long MAX_STATUS_BYTES = 64 * 1024;

  private ApiServerAnswer() {}

  /**
   * What the proxy answers instead: its status (502 or 503) and the reason for the caller; the API
   * server's own message for the log (empty when it sent none); whether the pod is what failed (no
   * such pod, or not reachable), so that its replica leaves the rotation, rather than the
   * proxy's credentials.
   */
  public record HopFailure(int status, String reason, String detail, boolean podFailed) {}

  /** Whether an answer with this status, media type and length may be the API server's own failure. */
  public static boolean mayBeFailure(int status, String mediaType, long contentLength) {
    return FAILURE_CODES.contains(status) && "application/json".equals(mediaType)
        && contentLength >= 0 && contentLength <= MAX_STATUS_BYTES;
  }

  /** The API server's failure in {@code body}, or empty when the answer is the replica's. */
  public static Optional<HopFailure> failure(int status, byte[] body, String pod) {
    JsonNode json;
    try {
      json = Json.objectMapper().readTree(body);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (json == null || !"Status".equals(json.path("kind").asText()) || !"v1".equals(json.path("apiVersion").asText())) {
      return Optional.empty();
    }
    String message = json.path("message").asText("");
    return Optional.of(switch (status) {
      case 401, 403 -> new HopFailure(502, "the Kubernetes API server refused the proxy's credentials (HTTP " + status
          + ")", message, false);
      case 404 -> new HopFailure(503, "the Kubernetes API server has no pod " + pod, message, true);
      default -> new HopFailure(502, "the Kubernetes API server could not reach pod " + pod + " (HTTP " + status + ")",
          message, true);
    });
  }
}
