package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.http.auth.Access;
import dev.tugboat.http.auth.AuthSettings;
import dev.tugboat.http.proxy.ProxiedService;
import dev.tugboat.http.proxy.ProxyRoute;
import dev.tugboat.http.proxy.ProxySettings;
import dev.tugboat.http.proxy.ReplicaTransport;
import dev.tugboat.http.proxy.ServiceEndpoints;
import dev.tugboat.http.proxy.ServiceUrls;
import dev.tugboat.k8s.ApiServerConnection;
import dev.tugboat.k8s.sim.ApiServerAccess;
import dev.tugboat.k8s.sim.ApiServerCounters.Kind;
import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy reaching a replica through the API server's pod proxy, over https with a bearer
 * token, against the simulated API server and a simulated echo-service pod: HTTP and WebSocket
 * get through, the token reaches the API server (which refuses requests without it) and not the
 * service; a redirect comes back under the proxy's prefix; an unknown pod, a pod not running, a
 * refused token and a missing token are the proxy's own 503 and 502.
 */
class ApiServerPodProxyIT {
  private static final String NS = "dots";
  private static final String TOKEN = "pod-proxy-it-api-token";
  private static final String POD = "echo-0";
  private static final String PENDING = "pending-0";
  private static final int PORT = 8080;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();

  private static SimulatedKubernetes kube;
  private static ActorSystem<Void> system;
  private static String podIp;
  private static final List<ProxyRoute> proxies = new ArrayList<>();
  private static final List<ServerBinding> bindings = new ArrayList<>();
  private static int viaApiServer;
  private static int wrongToken;
  private static int noToken;

  @BeforeAll
  static void start() throws Exception {
    kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults(NS).withPendingDelay(Duration.ofMillis(20)),
        ApiServerAccess.httpsWithToken(TOKEN));
    kube.client().pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(POD).endMetadata()
        .withNewSpec().addNewContainer().withName("service").withImage("tugboat/echo-service:1")
        .addNewPort().withContainerPort(PORT).endPort().endContainer().endSpec().build()).create();
    // An image the simulated kubelet cannot pull: the pod stays Pending.
    kube.client().pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(PENDING).endMetadata()
        .withNewSpec().addNewContainer().withName("service").withImage("registry.example/no-such-service:1")
        .addNewPort().withContainerPort(PORT).endPort().endContainer().endSpec().build()).create();
    // The proxy's actor system starts while the kubelet starts the pod's echo server.
    Config config = ConfigFactory.parseString("""
        pekko.actor.provider = local
        pekko.loglevel = WARNING
        tugboat.http.proxy.response-timeout = 5s
        """).withFallback(ConfigFactory.defaultReference()).resolve();
    system = ActorSystem.create(Behaviors.empty(), "ApiServerPodProxyIT", config);
    // Generous for a loaded machine; it returns as soon as the pod is ready.
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
      Pod p = kube.client().pods().inNamespace(NS).withName(POD).get();
      return p != null && p.getStatus() != null && p.getStatus().getContainerStatuses() != null
          && p.getStatus().getContainerStatuses().stream().allMatch(c -> Boolean.TRUE.equals(c.getReady()));
    });
    podIp = kube.client().pods().inNamespace(NS).withName(POD).get().getStatus().getPodIP();
    ReplicaTransport.ApiServer real = (ReplicaTransport.ApiServer) ReplicaTransports.of(
        ApiServerConnection.of(kube.client().getConfiguration(), NS));
    assertTrue(real.tokenRequired(), "the simulated API server is reached with a token");
    viaApiServer = serve(config, real);
    wrongToken = serve(config, new ReplicaTransport.ApiServer(real.server(), NS, real.sslContext(),
        real.verifyHostname(), () -> Optional.of("not-the-token"), true));
    noToken = serve(config, new ReplicaTransport.ApiServer(real.server(), NS, real.sslContext(),
        real.verifyHostname(), Optional::empty, true));
  }

  private static int serve(Config config, ReplicaTransport transport) throws Exception {
    Access access = Access.of(new AuthSettings(Optional.empty(), true, Duration.ofHours(1), Duration.ofSeconds(1)),
        new byte[32], Clock.systemUTC());
    ProxyRoute proxy = new ProxyRoute(system, ProxySettings.fromConfig(config), access, new Endpoints(),
        new ServiceUrls(URI.create("http://127.0.0.1"), Optional.empty()), transport);
    proxies.add(proxy);
    ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(proxy.pathForm())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    bindings.add(binding);
    return binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    bindings.forEach(b -> b.unbind().toCompletableFuture().join());
    proxies.forEach(ProxyRoute::close);
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
    if (kube != null) {
      kube.close();
    }
  }

  /**
   * Service "echo" has the echo pod; "gone" names a pod the API server does not have; "pending" a
   * pod that is not running.
   */
  private static final class Endpoints implements ServiceEndpoints {
    @Override
    public Optional<ProxiedService> find(String name) {
      String pod = switch (name) {
        case "echo" -> POD;
        case "gone" -> "gone-0";
        case "pending" -> PENDING;
        default -> null;
      };
      return pod == null ? Optional.empty() : Optional.of(new ProxiedService(name, "alice",
          Map.of(PORT, new ProxiedService.PublishedPort(PORT, true, "web", "/")),
          List.of(new ProxiedService.Replica(pod, podIp))));
    }

    @Override
    public void reportLoad(String name, Map<String, Integer> inFlightByReplica) {}
  }

  private static HttpResponse<String> send(int port, String pathAndQuery, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Basic dXNlcjpwdw==");
    b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRequestGoesThroughTheApiServerWithItsTokenWhichNeverReachesTheService() throws Exception {
    int before = kube.counters().requests(Kind.OTHER);
    HttpResponse<String> r = send(viaApiServer, "/echo/files/a%20b.txt?q=a%20b&and=%26", "posted");
    assertEquals(200, r.statusCode(), r.body());
    // The simulated API server counts a request once it has accepted its token.
    assertEquals(before + 1, kube.counters().requests(Kind.OTHER));
    JsonNode echo = JSON.readTree(r.body());
    assertEquals(POD, echo.get("pod").asText());
    assertEquals("POST", echo.get("method").asText());
    assertEquals("/files/a%20b.txt", echo.get("path").asText());
    assertEquals("q=a%20b&and=%26", echo.get("query").asText());
    assertEquals("posted", echo.get("body").asText());
    assertEquals("/echo", echo.get("headers").get("x-forwarded-prefix").asText());
    assertFalse(r.body().contains(TOKEN), "the API server's token reached the service: " + r.body());
    assertFalse(echo.get("headers").has("authorization"), "an Authorization header reached the service");
  }

  @Test
  void aWebSocketGoesThroughTheApiServer() throws Exception {
    CompletableFuture<String> received = new CompletableFuture<>();
    WebSocket ws = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create("ws://127.0.0.1:" + viaApiServer + "/echo/ws"), new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              received.complete(text.toString());
            }
            socket.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    ws.sendText("through the pod proxy", true).get(5, TimeUnit.SECONDS);
    assertEquals("through the pod proxy", received.get(10, TimeUnit.SECONDS));
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
  }

  @Test
  void aPodTheApiServerDoesNotHaveIsTheProxys503() throws Exception {
    HttpResponse<String> r = send(viaApiServer, "/gone/", null);
    assertEquals(503, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Retry-After").isPresent());
    JsonNode error = JSON.readTree(r.body());
    assertEquals("gone", error.get("id").asText());
    assertTrue(error.get("error").asText().contains("has no pod gone-0"), r.body());
  }

  @Test
  void aPodThatIsNotRunningIsTheProxys502AndLeavesTheRotation() throws Exception {
    int before = kube.counters().requests(Kind.OTHER);
    HttpResponse<String> r = send(viaApiServer, "/pending/", null);
    assertEquals(502, r.statusCode(), r.body());
    String error = JSON.readTree(r.body()).get("error").asText();
    assertTrue(error.contains("the Kubernetes API server could not reach pod pending-0 (HTTP 503)"), r.body());
    assertFalse(error.contains("not running"), "the API server's own message reached the caller: " + r.body());
    // Its only replica is out of this node's rotation: the next request is answered without the API server.
    HttpResponse<String> again = send(viaApiServer, "/pending/", null);
    assertEquals(503, again.statusCode(), again.body());
    assertTrue(again.body().contains("accepts connections now"), again.body());
    assertEquals(before + 1, kube.counters().requests(Kind.OTHER));
  }

  @Test
  void aRedirectOfTheServiceComesBackUnderTheProxysPrefixNotTheApiServers() throws Exception {
    for (String to : List.of("/lab?reset=1", "http://" + podIp + ":" + PORT + "/lab?reset=1")) {
      HttpResponse<String> r = send(viaApiServer, "/echo/redirect?to=" + java.net.URLEncoder.encode(to,
          java.nio.charset.StandardCharsets.UTF_8), null);
      assertEquals(302, r.statusCode(), r.body());
      assertEquals(Optional.of("/echo/lab?reset=1"), r.headers().firstValue("Location"), to);
    }
    // A redirect elsewhere is the service's own.
    HttpResponse<String> away = send(viaApiServer, "/echo/redirect?to=https%3A%2F%2Flogin.example%2Fsso", null);
    assertEquals(Optional.of("https://login.example/sso"), away.headers().firstValue("Location"));
  }

  @Test
  void aPortPastTheLastIsTheSimulatedApiServers400() throws Exception {
    io.fabric8.kubernetes.client.http.HttpClient http = kube.client().getHttpClient();
    URI url = kube.client().getMasterUrl().toURI().resolve("/api/v1/namespaces/" + NS + "/pods/" + POD
        + ":99999/proxy/");
    io.fabric8.kubernetes.client.http.HttpResponse<String> r = http.sendAsync(http.newHttpRequestBuilder()
        .uri(url).build(), String.class).get(10, TimeUnit.SECONDS);
    assertEquals(400, r.code(), r.body());
    assertTrue(r.body().contains("invalid port 99999"), r.body());
  }

  @Test
  void aTokenTheApiServerRefusesIsTheProxys502() throws Exception {
    HttpResponse<String> r = send(wrongToken, "/echo/", null);
    assertEquals(502, r.statusCode(), r.body());
    JsonNode error = JSON.readTree(r.body());
    assertEquals("echo", error.get("id").asText());
    assertTrue(error.get("error").asText().contains("refused the proxy's credentials (HTTP 401"), r.body());
    assertFalse(r.body().contains("not-the-token"));
  }

  @Test
  void noTokenIsTheProxys502WithoutAsking() throws Exception {
    int before = kube.counters().requests(Kind.OTHER);
    HttpResponse<String> r = send(noToken, "/echo/", null);
    assertEquals(502, r.statusCode(), r.body());
    assertEquals(before, kube.counters().requests(Kind.OTHER), "a request went to the API server without a token");
    assertTrue(JSON.readTree(r.body()).get("error").asText().contains("no token for the Kubernetes API server"),
        r.body());
  }
}
