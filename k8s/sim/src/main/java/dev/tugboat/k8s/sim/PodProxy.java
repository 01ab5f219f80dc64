package dev.tugboat.k8s.sim;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API server's pod proxy subresource, {@code /api/v1/namespaces/{ns}/pods/{name}[:{port}]/proxy/...}:
 * forwards the request (method, raw path and query, headers, body) to the pod's IP and port and
 * answers with the pod's answer, as Kubernetes does: without a port, port 80; 404 when there is no
 * such pod; 503 when it has no IP, is not running, or does not accept the connection. The
 * Authorization header is the API server's and goes no further; WebSocket upgrades are passed
 * through. As Kubernetes does, a redirect to the pod's own host or to a path ({@code Location})
 * comes back under the pod proxy path. A port past 65535 is 400. Simulated pods' IPs are
 * loopback addresses, so this works in process. A plain request is answered on the mock server's
 * thread while the pod answers (its dispatcher answers synchronously), bounded by {@link #TIMEOUT}.
 */
final class PodProxy {

  /** Group 1 the namespace, 2 the pod, 3 the port (may be absent), 4 the path after /proxy, 5 the raw query. */
  static final Pattern PATH = Pattern.compile(
      "^/api/v1/namespaces/([^/?]+)/pods/([^/?:]+)(?::([0-9]{1,5}))?/proxy(/[^?]*)?(?:\\?(.*))?$");

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Not forwarded either way: hop-by-hop, the API server's own, and what the client sets itself. */
  private static final Set<String> NOT_FORWARDED = Set.of("authorization", "connection", "keep-alive",
      "proxy-authorization", "proxy-authenticate", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
      "host", "content-length", "expect");

  private final PodStore store;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();

  PodProxy(PodStore store) {
    this.store = store;
  }

  /** The answer to {@code request}, whose path {@code m} matched {@link #PATH}. */
  MockResponse forward(RecordedRequest request, Matcher m) {
    String name = m.group(2);
    int port = m.group(3) == null ? 80 : Integer.parseInt(m.group(3));
    if (port < 1 || port > 65535) {
      return status(PodStore.status(400, "BadRequest", "invalid port " + m.group(3) + " for pod " + name, name));
    }
    String rest = m.group(4) == null ? "/" : m.group(4);
    String query = m.group(5) == null ? "" : "?" + m.group(5);
    PodStore.Stored stored = store.get(m.group(1), name);
    if (stored == null) {
      return status(PodStore.status(404, "NotFound", "pods \"" + name + "\" not found", name));
    }
    Optional<String> ip = runningIp(stored.pod());
    if (ip.isEmpty()) {
      return status(PodStore.status(503, "ServiceUnavailable", "pod " + name + " is not running", name));
    }
    String authority = ip.get() + ":" + port;
    if (isWebSocket(request)) {
      return webSocket(request, URI.create("ws://" + authority + rest + query), name);
    }
    HttpRequest.Builder out = HttpRequest.newBuilder(URI.create("http://" + authority + rest + query)).timeout(TIMEOUT);
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
    out.method(request.getMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body));
    copyHeaders(request, Set.of(), out::header);
    try {
      HttpResponse<byte[]> answer = client.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
      MockResponse r = new MockResponse().setResponseCode(answer.statusCode());
      String podPath = "/api/v1/namespaces/" + m.group(1) + "/pods/" + name + (m.group(3) == null ? "" : ":" + port)
          + "/proxy";
      for (Map.Entry<String, List<String>> h : answer.headers().map().entrySet()) {
        String lower = h.getKey().toLowerCase(Locale.ROOT);
        if (!NOT_FORWARDED.contains(lower) && !h.getKey().startsWith(":")) {
          h.getValue().forEach(v -> r.addHeader(h.getKey(), lower.equals("location") ? underPodPath(v, authority,
              podPath) : v));
        }
      }
      return r.setBody(answer.body());
    } catch (IOException e) {
      return unreachable(name, authority, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unreachable(name, authority, e);
    }
  }

  /**
   * A redirect to the pod's own host, or to a path, under the pod proxy path as the caller sees
   * it (Kubernetes' proxy transport does this, giving a path without scheme or host); any other
   * address is left as it is.
   */
  static String underPodPath(String location, String podAuthority, String podPath) {
    URI uri;
    try {
      uri = new URI(location);
    } catch (java.net.URISyntaxException e) {
      return location;
    }
    boolean podsOwn = uri.getRawAuthority() == null || uri.getRawAuthority().equals(podAuthority);
    if (!podsOwn || uri.getRawPath() == null || !uri.getRawPath().startsWith("/")) {
      return location;
    }
    return podPath + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
        + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment());
  }

  private static Optional<String> runningIp(Pod pod) {
    if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())) {
      return Optional.empty();
    }
    String ip = pod.getStatus().getPodIP();
    return ip == null || ip.isBlank() ? Optional.empty() : Optional.of(ip);
  }

  private static boolean isWebSocket(RecordedRequest request) {
    String upgrade = request.getHeader("Upgrade");
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  private static void copyHeaders(RecordedRequest request, Set<String> alsoDropped,
      java.util.function.BiConsumer<String, String> to) {
    for (Map.Entry<String, List<String>> h : request.getHeaders().toMultimap().entrySet()) {
      String lower = h.getKey().toLowerCase(Locale.ROOT);
      if (NOT_FORWARDED.contains(lower) || alsoDropped.contains(lower) || lower.startsWith("sec-websocket-")) {
        continue;
      }
      h.getValue().forEach(v -> to.accept(h.getKey(), v));
    }
  }

  private static MockResponse unreachable(String name, String authority, Exception e) {
    return status(PodStore.status(503, "ServiceUnavailable", "error trying to reach service: dial tcp " + authority
        + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), name));
  }

  /**
   * Accepts the caller's WebSocket, then opens one to the pod and pipes messages both ways, in
   * order; closing either side closes the other. A pod that does not accept it closes the caller's
   * with 1011.
   */
  private MockResponse webSocket(RecordedRequest request, URI target, String name) {
    return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
      private CompletableFuture<java.net.http.WebSocket> pod;

      @Override
      public void onOpen(WebSocket caller, Response response) {
        java.net.http.WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT);
        copyHeaders(request, Set.of("origin", "cookie2"), builder::header);
        CompletableFuture<java.net.http.WebSocket> opened = builder.buildAsync(target, toCaller(caller));
        synchronized (this) {
          pod = opened;
        }
        opened.exceptionally(e -> {
          caller.close(1011, "error trying to reach pod " + name);
          return null;
        });
      }

      @Override
      public void onMessage(WebSocket caller, String text) {
        send(ws -> ws.sendText(text, true));
      }

      @Override
      public void onMessage(WebSocket caller, byte[] bytes) {
        send(ws -> ws.sendBinary(ByteBuffer.wrap(bytes), true));
      }

      @Override
      public void onClosing(WebSocket caller, int code, String reason) {
        send(ws -> ws.sendClose(code, reason == null ? "" : reason));
        caller.close(code, reason);
      }

      @Override
      public void onFailure(WebSocket caller, Throwable t, Response response) {
        send(ws -> {
          ws.abort();
          return CompletableFuture.completedFuture(ws);
        });
      }

      /** Sends after everything sent before, once the pod's WebSocket is open. */
      private synchronized void send(java.util.function.Function<java.net.http.WebSocket,
          CompletionStage<java.net.http.WebSocket>> step) {
        pod = pod.thenCompose(ws -> step.apply(ws).toCompletableFuture());
      }
    });
  }

  /** The pod's messages to the caller; the pod's close closes the caller's. */
  private static java.net.http.WebSocket.Listener toCaller(WebSocket caller) {
    return new java.net.http.WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();
      private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

      @Override
      public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          caller.send(text.toString());
          text.setLength(0);
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onBinary(java.net.http.WebSocket ws, ByteBuffer data, boolean last) {
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        binary.writeBytes(chunk);
        if (last) {
          caller.send(binary.toByteArray());
          binary = new java.io.ByteArrayOutputStream();
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
        caller.close(code, reason);
        return null;
      }

      @Override
      public void onError(java.net.http.WebSocket ws, Throwable error) {
        caller.close(1011, "the pod's WebSocket failed");
      }
    };
  }

  private static MockResponse status(Status s) {
    return new MockResponse().setResponseCode(s.getCode()).setHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(s));
  }
}
