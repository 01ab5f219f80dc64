package dev.tugboat.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.k8s.HostedPodFactory;
import dev.tugboat.k8s.KubernetesSettings;
import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.Replicas;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hosted service end to end on one node and the simulated Kubernetes: created over HTTP, its two
 * replicas' echo servers answer at their pod IPs directly; a replica that fails is replaced by a
 * new generation, and so is one whose image cannot be pulled, after image-pull-grace; deleted, its
 * pods are gone and the name is free. Through the node's HTTP port, the
 * proxy reaches a public port openly, a private one with an operator's token only, forwards a
 * WebSocket and spreads slow requests over both replicas.
 */
class HostedServiceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static TestStack stack;
  private static TugboatNode node;

  @BeforeAll
  static void start() throws Exception {
    stack = TestStack.start(Duration.ofSeconds(20));
    node = stack.startNode(Map.of("tugboat.hosted.tick", "300ms", "tugboat.hosted.first-backoff", "200ms",
        "tugboat.kubernetes.simulated.pending-delay", "50ms", "tugboat.reconciler.interval", "300ms",
        "tugboat.reconciler.orphan-grace", "1s", "tugboat.hosted.image-pull-grace", "1s"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static String body(String name) throws Exception {
    return JSON.writeValueAsString(Map.of("name", name, "image", "tugboat/echo-service:1",
        "env", Map.of("GREETING", "hi"), "publishedPorts", List.of(
            Map.of("port", 8080, "access", "private", "label", "web", "initialPath", "/lab?x=1"),
            Map.of("port", 9090, "access", "public")),
        "replicas", Map.of("min", 2, "max", 3), "idleTimeout", "PT10M"));
  }

  private static HttpResponse<String> send(String method, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Authorization", "Bearer " + stack.operatorToken).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode view(String name) throws Exception {
    HttpResponse<String> r = send("GET", "/api/v1/services/" + name, "");
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static List<Pod> pods(String name) {
    return stack.kubernetes.client().pods().inNamespace("dots").withLabel("tugboat.dev/hosted-service", name)
        .list().getItems();
  }

  /** The ready replicas' pod IPs, once the service runs with {@code n} of them. */
  private static List<JsonNode> running(String name, int n) {
    List<JsonNode> ready = new ArrayList<>();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
      JsonNode v = view(name);
      ready.clear();
      v.get("replicaStates").forEach(r -> {
        if (r.get("ready").asBoolean()) {
          ready.add(r);
        }
      });
      return "RUNNING".equals(v.get("status").asText()) && ready.size() == n;
    });
    return ready;
  }

  private static JsonNode echo(String ip, int port, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port + path))
        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  @Test
  void aServiceRunsTwoReplicasThatAnswerAtTheirPodIpsAndDeleteRemovesItsPods() throws Exception {
    HttpResponse<String> created = send("POST", "/api/v1/services", body("echo"));
    assertEquals(201, created.statusCode(), created.body());
    assertEquals("/api/v1/services/echo", created.headers().firstValue("Location").orElse(""));
    assertEquals(200, send("POST", "/api/v1/services", body("echo")).statusCode(), "the same body again");
    assertEquals(409, send("POST", "/api/v1/services", body("echo").replace("PT10M", "PT11M")).statusCode());
    HttpResponse<String> bad = send("POST", "/api/v1/services", body("api"));
    assertEquals(400, bad.statusCode(), bad.body());

    List<JsonNode> ready = running("echo", 2);
    Set<String> ips = new HashSet<>();
    for (JsonNode r : ready) {
      String ip = r.get("podIp").asText();
      ips.add(ip);
      JsonNode e = echo(ip, 8080, "/hello?q=1");
      assertEquals(r.get("podName").asText(), e.get("pod").asText());
      assertEquals("/hello", e.get("path").asText());
      assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", e.get("headers").get("traceparent").asText());
      assertEquals("GET", echo(ip, 9090, "/").get("method").asText());
    }
    assertEquals(2, ips.size(), "each replica has its own address");

    JsonNode v = view("echo");
    assertEquals("tests", v.get("owner").asText(), "the caller owns it");
    JsonNode port = v.get("ports").get(0);
    String base = "http://127.0.0.1:" + stack.nodeConfig(Map.of()).getInt("tugboat.http.port");
    assertEquals(base + "/echo/", port.get("url").asText());
    assertEquals(base + "/echo/lab?x=1", port.get("initialUrl").asText());
    assertEquals(base + "/echo--9090/", v.get("ports").get(1).get("url").asText());
    JsonNode list = JSON.readTree(send("GET", "/api/v1/services", "").body());
    assertEquals("echo", list.get("services").get(0).get("name").asText());

    deleteAccepted("echo");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> pods("echo").isEmpty() && send("GET", "/api/v1/services/echo", "").statusCode() == 404);
    assertEquals(404, send("POST", "/api/v1/services/echo/restart", "").statusCode());
  }

  @Test
  void aPodOfAHostedServiceThatDoesNotExistIsTakenBackAfterTheGrace() throws Exception {
    HostedPodFactory ours = new HostedPodFactory(KubernetesSettings.fromConfig(stack.nodeConfig(Map.of())));
    HostedSpec ghost = new HostedSpec("ghost", "tugboat/echo-service:1", List.of(), List.of(), null, List.of(),
        new Replicas(1, 1), Duration.ofMinutes(1), "nobody");
    stack.kubernetes.client().pods().inNamespace("dots").resource(ours.podFor(ghost, 0, 0)).create();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> pods("ghost").isEmpty());
  }

  @Test
  void aReplicaThatFailsIsReplacedAndRestartReplacesEveryReplica() throws Exception {
    assertEquals(201, send("POST", "/api/v1/services", body("crashy")).statusCode());
    List<JsonNode> ready = running("crashy", 2);
    JsonNode victim = ready.get(0);
    String ip = victim.get("podIp").asText();
    HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":8080/exit?code=3")).build(),
        HttpResponse.BodyHandlers.ofString());
    int slot = victim.get("slot").asInt();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
      JsonNode r = view("crashy").get("replicaStates").get(slot);
      return r.get("generation").asLong() == 1 && r.get("ready").asBoolean() && r.get("restarts").asInt() == 1;
    });
    List<JsonNode> after = running("crashy", 2);
    for (JsonNode r : after) {
      assertEquals("crashy", echo(r.get("podIp").asText(), 8080, "/").get("pod").asText().split("-")[1]);
    }

    HttpResponse<String> restart = send("POST", "/api/v1/services/crashy/restart", "");
    assertEquals(202, restart.statusCode(), restart.body());
    assertEquals(409, send("POST", "/api/v1/services/crashy/restart", "").statusCode(), "a restart runs");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
      JsonNode v = view("crashy");
      return "ACTIVE".equals(v.get("phase").asText()) && "RUNNING".equals(v.get("status").asText());
    });
    JsonNode v = view("crashy");
    assertEquals(2, v.get("replicaStates").get(slot).get("generation").asLong());
    assertEquals(1, v.get("replicaStates").get(1 - slot).get("generation").asLong());
    deleteAccepted("crashy");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> pods("crashy").isEmpty());
  }

  /** DELETE accepted: 202 with the view, or 204 when every pod was gone before the answer was written. */
  private static void deleteAccepted(String name) throws Exception {
    HttpResponse<String> deleting = send("DELETE", "/api/v1/services/" + name, "");
    assertTrue(deleting.statusCode() == 202 || deleting.statusCode() == 204,
        deleting.statusCode() + " " + deleting.body());
  }

  private static HttpResponse<String> proxied(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The simulated kubelet cannot pull an unknown image: after image-pull-grace the replica fails and is replaced. */
  @Test
  void aReplicaWhoseImageCannotBePulledFailsAfterTheGraceAndIsReplaced() throws Exception {
    String spec = JSON.writeValueAsString(Map.of("name", "nopull", "image", "registry.example/no-such-service:1",
        "publishedPorts", List.of(Map.of("port", 8080, "access", "public")), "replicas", Map.of("min", 1, "max", 1),
        "idleTimeout", "PT10M"));
    assertEquals(201, send("POST", "/api/v1/services", spec).statusCode());
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
        view("nopull").get("replicaStates").get(0).get("restarts").asInt() >= 1);
    JsonNode replica = view("nopull").get("replicaStates").get(0);
    assertTrue(replica.get("failure").asText().startsWith(
        "image registry.example/no-such-service:1 could not be pulled: ErrImagePull"), replica.toString());
    deleteAccepted("nopull");
  }

  @Test
  void theProxyReachesBothPortsAWebSocketAndBothReplicasThroughTheNodesHttpPort() throws Exception {
    String spec = JSON.writeValueAsString(Map.of("name", "proxied", "image", "tugboat/echo-service:1",
        "publishedPorts", List.of(Map.of("port", 8080, "access", "public"),
            Map.of("port", 9090, "access", "private")),
        "replicas", Map.of("min", 2, "max", 2), "idleTimeout", "PT10M"));
    assertEquals(201, send("POST", "/api/v1/services", spec).statusCode());
    Set<String> pods = new HashSet<>();
    running("proxied", 2).forEach(r -> pods.add(r.get("podName").asText()));

    HttpResponse<String> open = proxied("/proxied/echo?q=1", null);
    assertEquals(200, open.statusCode(), open.body());
    JsonNode e = JSON.readTree(open.body());
    assertEquals("/echo", e.get("path").asText());
    assertEquals("q=1", e.get("query").asText());
    assertEquals("/proxied", e.get("headers").get("x-forwarded-prefix").asText());
    assertTrue(e.get("headers").get("traceparent").asText().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), open.body());
    assertTrue(pods.contains(e.get("pod").asText()), open.body());
    assertTrue(open.headers().firstValue("traceresponse").isPresent());

    HttpResponse<String> anonymous = proxied("/proxied--9090/", null);
    assertEquals(401, anonymous.statusCode(), anonymous.body());
    HttpResponse<String> operator = proxied("/proxied--9090/", stack.operatorToken);
    assertEquals(200, operator.statusCode(), operator.body());
    assertTrue(JSON.readTree(operator.body()).get("headers").get("authorization") == null,
        "the operator's token is not forwarded");

    CompletableFuture<String> echoed = new CompletableFuture<>();
    WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(
        URI.create("ws://127.0.0.1:" + node.httpPort() + "/proxied/ws"), new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              echoed.complete(text.toString());
            }
            socket.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    ws.sendText("hello through the proxy", true);
    assertEquals("hello through the proxy", echoed.get(10, TimeUnit.SECONDS));
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);

    List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      slow.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
          + "/proxied/slow?ms=500")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    Set<String> answered = new HashSet<>();
    for (CompletableFuture<HttpResponse<String>> f : slow) {
      HttpResponse<String> r = f.get(15, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      answered.add(JSON.readTree(r.body()).get("pod").asText());
    }
    assertEquals(pods, answered, "four slow requests in parallel go to both replicas");

    deleteAccepted("proxied");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> pods("proxied").isEmpty());
  }
}
