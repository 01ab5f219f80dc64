package dev.tugboat.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.http.proxy.ProxiedService;
import dev.tugboat.http.proxy.ServiceUrls;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy to long-lived services over real HTTP: the routes served as the node serves them, in
 * front of real backend servers on 127.0.0.1 and 127.0.0.2 (the same port, as two pods' IPs), a
 * port where nothing listens (refused) and one that resets every connection.
 */
class ProxyIT {
  /** Short, for the 504 test; long enough for a first request on a busy machine. */
  private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(3000);
  private static final int BODY_LIMIT = 64 * 1024;

  private static ActorTestKit testKit;
  private static ServerBinding binding;
  private static Backend r1;
  private static Backend r2;
  private static ServerSocket resetting;
  private static Thread resetter;
  private static ServerSocket capturing;
  /** The request heads the capturing replica received, as sent on the wire. */
  private static final java.util.concurrent.BlockingQueue<String> captured =
      new java.util.concurrent.LinkedBlockingQueue<>();
  private static final java.util.concurrent.atomic.AtomicReference<Throwable> captureFailure =
      new java.util.concurrent.atomic.AtomicReference<>();
  private static int port;
  private static final FakeServiceEndpoints endpoints = new FakeServiceEndpoints();
  private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create("ProxyIT", ConfigFactory.parseString("""
        pekko.loglevel = WARNING
        tugboat.http.proxy.response-timeout = %d ms
        tugboat.http.proxy.report-interval = 100 ms
        tugboat.http.proxy.max-request-body = %d
        tugboat.http.proxy.refused-pause = 60 s
        """.formatted(RESPONSE_TIMEOUT.toMillis(), BODY_LIMIT)).withFallback(ConfigFactory.load()));
    r1 = Backend.start(testKit.system(), "r1", "127.0.0.1", 0);
    port = r1.port();
    r2 = Backend.start(testKit.system(), "r2", "127.0.0.2", port);
    resetting = new ServerSocket();
    resetting.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.5"), port));
    resetter = new Thread(ProxyIT::resetEveryConnection, "resetter");
    resetter.setDaemon(true);
    resetter.start();
    capturing = new ServerSocket();
    capturing.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.7"), port));
    Thread capturer = new Thread(ProxyIT::captureEveryRequest, "capturer");
    capturer.setDaemon(true);
    capturer.start();

    ProxiedService.PublishedPort open = new ProxiedService.PublishedPort(port, true, "web", "/");
    service("solo", Map.of(port, open), replica("r1", "127.0.0.1"));
    service("pair", Map.of(port, open), replica("r1", "127.0.0.1"), replica("r2", "127.0.0.2"));
    service("none", Map.of(port, open));
    service("refusing", Map.of(port, open), replica("dead", "127.0.0.9"));
    service("mixed", Map.of(port, open), replica("dead-too", "127.0.0.10"), replica("r1", "127.0.0.1"));
    service("resetting", Map.of(port, open), replica("rst", "127.0.0.5"));
    service("ws-gone", Map.of(port, open), replica("r1", "127.0.0.1"));
    service("raw", Map.of(port, open), replica("cap", "127.0.0.7"));
    // Services named like Tugboat's own paths, which the proxy must never reach.
    for (String reserved : List.of("api", "health", "metrics", "dashboard")) {
      service(reserved, Map.of(port, open), replica("r1", "127.0.0.1"));
    }

    Readiness ready = () -> CompletableFuture.completedFuture(List.of(Readiness.Check.passed("test")));
    FakeDirectory directory = new FakeDirectory(testKit, Map.of(), Map.of());
    TugboatRoutes routes = new TugboatRoutes(testKit.system(),
        new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(1)), TestAccess.create(false),
        directory, directory, new FakeSimulationList(List.of()), new FakeServiceRecords(), ready, () -> "up 1\n",
        new QuietLifecycleEvents(), new EventStreamSettings(Duration.ofSeconds(10)), new HostedServices(List::of, endpoints,
        new ServiceUrls(URI.create("http://127.0.0.1"), Optional.of("svc.test"))));
    binding = TestServer.bind(testKit, routes);
  }

  @AfterAll
  static void stop() throws Exception {
    if (resetting != null) {
      resetting.close();
    }
    if (capturing != null) {
      capturing.close();
    }
    for (Backend b : new Backend[] {r1, r2}) {
      if (b != null) {
        b.close();
      }
    }
    TestServer.stop(testKit, binding);
  }

  @Test
  void thePathFormStripsItsPrefixAndForwardsTheRestOfThePathAndTheQuery() throws Exception {
    HttpResponse<String> response = get("/solo/a/b%20c/?x=1&y=%2F");
    assertEquals(200, response.statusCode(), response.body());
    JsonNode echo = Json.objectMapper().readTree(response.body());
    assertEquals("r1", echo.path("replica").asText());
    assertEquals("/a/b%20c/", echo.path("path").asText());
    assertEquals("x=1&y=%2F", echo.path("query").asText());
    assertEquals("/solo", echo.path("headers").path("x-forwarded-prefix").asText());
    assertEquals("GET", echo.path("method").asText());

    JsonNode byPort = json(get("/solo--" + port + "/z"));
    assertEquals("/z", byPort.path("path").asText());
    assertEquals("/solo--" + port, byPort.path("headers").path("x-forwarded-prefix").asText());
  }

  @Test
  void anUnknownServiceOrPortIsA404NamingIt() throws Exception {
    HttpResponse<String> unknown = get("/nosuch/x");
    assertEquals(404, unknown.statusCode());
    assertEquals("application/json", unknown.headers().firstValue("Content-Type").orElseThrow());
    JsonNode body = Json.objectMapper().readTree(unknown.body());
    assertEquals("no service called nosuch", body.path("error").asText());
    assertEquals("nosuch", body.path("id").asText());

    HttpResponse<String> noPort = get("/solo--81/");
    assertEquals(404, noPort.statusCode());
    assertTrue(noPort.body().contains("publishes no port 81"), noPort.body());
  }

  @Test
  void thePrefixWithoutATrailingSlashIsRedirectedToOneWithIt() throws Exception {
    HttpResponse<String> response = get("/solo?q=1");
    assertEquals(308, response.statusCode());
    assertEquals("/solo/?q=1", response.headers().firstValue("Location").orElseThrow());
  }

  @Test
  void tugboatsOwnPathsAreNeverProxiedEvenForServicesNamedLikeThem() throws Exception {
    int before = r1.requests.get();
    HttpResponse<String> live = get("/health/live");
    assertEquals(200, live.statusCode());
    assertTrue(live.body().contains("UP"), live.body());
    assertEquals("up 1\n", get("/metrics").body());
    HttpResponse<String> api = get("/api/v1/nothing-here");
    assertEquals(404, api.statusCode());
    assertTrue(api.body().contains("no such resource"), api.body());
    HttpResponse<String> dashboard = get("/dashboard/nothing.js");
    assertEquals(404, dashboard.statusCode());
    assertTrue(dashboard.body().contains("no such resource"), dashboard.body());
    assertEquals(405, send(HttpRequest.newBuilder(uri("/metrics")).POST(HttpRequest.BodyPublishers.noBody()))
        .statusCode());
    assertTrue(get("/").body().contains("<html"), "the dashboard's page");
    assertEquals(before, r1.requests.get(), "nothing reached a replica");
  }

  @Test
  void theHostFormForwardsTheWholePathApiIncluded() throws Exception {
    org.apache.pekko.http.javadsl.model.HttpResponse response = Http.get(testKit.system())
        .singleRequest(org.apache.pekko.http.javadsl.model.HttpRequest.GET(uri("/api/kernels?x=1").toString())
            .addHeader(Host.create("solo-" + port + ".svc.test")))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    String body = response.entity().toStrict(5000, testKit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS)
        .getData().utf8String();
    assertEquals(200, response.status().intValue(), body);
    JsonNode echo = Json.objectMapper().readTree(body);
    assertEquals("/api/kernels", echo.path("path").asText());
    assertEquals("x=1", echo.path("query").asText());
    assertTrue(echo.path("headers").path("x-forwarded-prefix").isMissingNode(), body);
    assertEquals("solo-" + port + ".svc.test", echo.path("headers").path("x-forwarded-host").asText());
  }

  @Test
  void hopByHopHeadersAndTugboatsCredentialsStayHereAndForwardingHeadersAreSet() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/solo/h?a=1&token=secret&b=2"))
        .header("Authorization", TestAccess.bearer(TestAccess.OPERATOR_TOKEN))
        .header("Cookie", "tugboat_session=s1; app=1; tugboat_service=s2")
        .header("Keep-Alive", "timeout=5")
        .header("Proxy-Authorization", "Basic eDp5")
        .header("TE", "trailers")
        .header("X-Forwarded-For", "10.0.0.1")
        .header("X-App", "kept"));
    String body = response.body();
    assertEquals(200, response.statusCode(), body);
    JsonNode headers = Json.objectMapper().readTree(body).path("headers");
    assertTrue(headers.path("authorization").isMissingNode(), "Tugboat's token is not forwarded: " + headers);
    assertEquals("app=1", headers.path("cookie").asText());
    for (String hop : List.of("keep-alive", "proxy-authorization", "te")) {
      assertTrue(headers.path(hop).isMissingNode(), hop + " is hop-by-hop: " + headers);
    }
    assertEquals("10.0.0.1, 127.0.0.1", headers.path("x-forwarded-for").asText());
    assertEquals("http", headers.path("x-forwarded-proto").asText());
    // The backend's Pekko models X-Forwarded-Host as a host without a port, so only the host is seen.
    assertEquals("127.0.0.1", headers.path("x-forwarded-host").asText());
    assertEquals("kept", headers.path("x-app").asText());
    assertEquals("a=1&b=2", Json.objectMapper().readTree(body).path("query").asText(), "?token= is not forwarded");

    // A bearer token Tugboat does not know is the service's own, on a public port.
    JsonNode own = json(send(HttpRequest.newBuilder(uri("/solo/own")).header("Authorization", "Bearer app-own")));
    assertEquals("Bearer app-own", own.path("headers").path("authorization").asText());

    HttpResponse<String> cookies = get("/solo/set-cookie");
    assertEquals(List.of("app=1; Path=/"), cookies.headers().allValues("Set-Cookie"),
        "a service cannot set Tugboat's cookies");
  }

  /** X-Forwarded-Host is the Host the caller sent, port included (the form the de-facto standard uses). */
  @Test
  void xForwardedHostIsTheCallersHostWithItsPort() throws Exception {
    captured.clear();
    int proxyPort = binding.localAddress().getPort();
    for (String host : List.of("127.0.0.1:" + proxyPort, "tugboat.example:80", "tugboat.example", "[::1]:8443")) {
      try (Socket caller = new Socket("127.0.0.1", proxyPort)) {
        caller.getOutputStream().write(("GET /raw/x HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String status = new java.io.BufferedReader(new java.io.InputStreamReader(caller.getInputStream(),
            java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        assertEquals("HTTP/1.1 204 No Content", status, host);
      }
      assertEquals(List.of(host), capturedHeader("x-forwarded-host"), "Host: " + host);
    }
  }

  @Test
  void aValidTraceparentIsContinuedAndAnInvalidOneReplaced() throws Exception {
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    HttpResponse<String> continued = send(HttpRequest.newBuilder(uri("/solo/t"))
        .header("traceparent", "00-" + trace + "-00f067aa0ba902b7-01").header("tracestate", "vendor=1"));
    JsonNode headers = json(continued).path("headers");
    String forwarded = headers.path("traceparent").asText();
    assertTrue(forwarded.matches("00-" + trace + "-[0-9a-f]{16}-01"), forwarded);
    assertFalse(forwarded.contains("00f067aa0ba902b7"), "the proxy's hop has its own span id");
    assertEquals("vendor=1", headers.path("tracestate").asText());
    assertEquals(forwarded, continued.headers().firstValue("traceresponse").orElseThrow());

    HttpResponse<String> invalid = send(HttpRequest.newBuilder(uri("/solo/t"))
        .header("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01")
        .header("tracestate", "vendor=1"));
    JsonNode fresh = json(invalid).path("headers");
    assertTrue(fresh.path("traceparent").asText().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), fresh.toString());
    assertFalse(fresh.path("traceparent").asText().startsWith("00-0000000000"), fresh.toString());
    assertTrue(fresh.path("tracestate").isMissingNode(), "a new trace has no state of the old one");

    String started = json(get("/solo/t")).path("headers").path("traceparent").asText();
    assertNotEquals(fresh.path("traceparent").asText().substring(3, 35), started.substring(3, 35));
  }

  @Test
  void aResponseStreamsToTheCallerBeforeTheReplicaHasFinished() throws Exception {
    HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri("/solo/stream")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    try (InputStream body = response.body()) {
      byte[] first = CompletableFuture.supplyAsync(() -> {
        try {
          return body.readNBytes(Backend.FIRST_CHUNK);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).get(10, TimeUnit.SECONDS);
      assertEquals(Backend.FIRST_CHUNK, first.length, "the first chunk arrived while the replica still held the rest");
      r1.release();
      assertArrayEquals("end".getBytes(StandardCharsets.UTF_8), body.readAllBytes());
    }
  }

  @Test
  void aWebSocketEchoesThroughTheProxy() throws Exception {
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocket ws = client.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + binding.localAddress().getPort() + "/solo/ws"),
            new WebSocket.Listener() {
              private final StringBuilder text = new StringBuilder();

              @Override
              public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                  received.add(text.toString());
                  text.setLength(0);
                }
                webSocket.request(1);
                return null;
              }
            })
        .get(10, TimeUnit.SECONDS);
    for (String m : List.of("hello", "again", "x".repeat(100_000))) {
      ws.sendText(m, true).get(5, TimeUnit.SECONDS);
      assertEquals("r1:" + m, received.poll(5, TimeUnit.SECONDS));
    }
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
  }

  /**
   * A caller that leaves before the replica answers its WebSocket handshake never runs the
   * WebSocket: the request must not stay counted in flight (it would hold the replica's load, and
   * the service's scale, up for good). The replica answers its handshake well within the response
   * timeout, so the proxy's 504 timer is cancelled: the release, a response timeout after the
   * handshake, is the WebSocket deadline's.
   */
  @Test
  void aWebSocketWhoseCallerLeftBeforeTheHandshakeIsNoLongerInFlight() throws Exception {
    int before = r1.requests.get();
    long sent = System.nanoTime();
    try (Socket caller = new Socket("127.0.0.1", binding.localAddress().getPort())) {
      caller.getOutputStream().write(("GET /ws-gone/ws-hold HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      caller.getOutputStream().flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> r1.requests.get() > before);
    }
    long released = System.nanoTime();
    assertTrue(released - sent < RESPONSE_TIMEOUT.minusSeconds(1).toNanos(),
        "too slow to tell the WebSocket deadline from the 504 timer");
    r1.release();
    await().atMost(RESPONSE_TIMEOUT).until(() -> endpoints.lastReport("ws-gone")
        .map(r -> r.inFlight().getOrDefault("r1", 0) == 1).orElse(false));
    await().atMost(RESPONSE_TIMEOUT.plusSeconds(5)).until(() -> endpoints.lastReport("ws-gone")
        .map(r -> r.inFlight().getOrDefault("r1", 0) == 0).orElse(false));
    long heldFor = (System.nanoTime() - released) / 1_000_000;
    assertTrue(heldFor >= RESPONSE_TIMEOUT.toMillis() - 300, "in flight for only " + heldFor
        + " ms after the handshake: released by the 504 timer, not by the WebSocket deadline");
  }

  @Test
  void requestsGoToTheReplicaWithTheFewestInFlightTiesInTurn() throws Exception {
    CompletableFuture<HttpResponse<String>> held = client.sendAsync(HttpRequest.newBuilder(uri("/pair/hold")).build(),
        HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> endpoints.lastReport("pair")
        .map(r -> r.inFlight().containsValue(1)).orElse(false));
    String holding = endpoints.lastReport("pair").orElseThrow().inFlight().entrySet().stream()
        .filter(e -> e.getValue() == 1).findFirst().orElseThrow().getKey();
    for (int i = 0; i < 6; i++) {
      assertNotEquals(holding, json(get("/pair/e")).path("replica").asText(), "request " + i);
    }
    (holding.equals("r1") ? r1 : r2).release();
    assertEquals(200, held.get(10, TimeUnit.SECONDS).statusCode());
    await().atMost(Duration.ofSeconds(5)).until(() -> endpoints.lastReport("pair")
        .map(r -> r.inFlight().values().stream().allMatch(c -> c == 0)).orElse(false));
    Map<String, Integer> served = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      served.merge(json(get("/pair/e")).path("replica").asText(), 1, Integer::sum);
    }
    assertEquals(Map.of("r1", 3, "r2", 3), served, "idle replicas take turns");
  }

  @Test
  void loadIsReportedWhileThereIsTrafficAndOnceMoreWhenItEnds() throws Exception {
    CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
        HttpRequest.newBuilder(uri("/solo/slow?ms=600")).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> endpoints.lastReport("solo")
        .map(r -> r.inFlight().getOrDefault("r1", 0) >= 1).orElse(false));
    assertEquals(200, slow.get(10, TimeUnit.SECONDS).statusCode());
    await().atMost(Duration.ofSeconds(5)).until(() -> endpoints.lastReport("solo")
        .map(r -> r.inFlight().values().stream().allMatch(c -> c == 0)).orElse(false));
    int reports = endpoints.reports.size();
    long soloReports = endpoints.reports.stream().filter(r -> r.name().equals("solo")).count();
    await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() ->
        endpoints.reports.stream().filter(r -> r.name().equals("solo")).count() == soloReports);
    assertTrue(endpoints.reports.size() >= reports);
  }

  @Test
  void aRefusingReplicaIs502AndLeavesTheRotation() throws Exception {
    HttpResponse<String> refused = get("/refusing/x");
    assertEquals(502, refused.statusCode(), refused.body());
    JsonNode body = Json.objectMapper().readTree(refused.body());
    assertEquals("refusing", body.path("id").asText());
    assertTrue(body.path("error").asText().contains("refused"), refused.body());
    assertTrue(refused.headers().firstValue("traceresponse").isPresent());

    HttpResponse<String> resting = get("/refusing/x");
    assertEquals(503, resting.statusCode(), resting.body());
    assertTrue(resting.body().contains("accepts connections"), resting.body());

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = get("/mixed/x");
      statuses.add(r.statusCode());
      if (r.statusCode() == 200) {
        assertEquals("r1", json(r).path("replica").asText());
      }
    }
    assertTrue(statuses.stream().filter(s -> s == 502).count() <= 1
        && statuses.subList(statuses.indexOf(200), statuses.size()).stream().allMatch(s -> s == 200), statuses.toString());
  }

  @Test
  void aReplicaThatResetsTheConnectionIs502() throws Exception {
    HttpResponse<String> response = get("/resetting/x");
    assertEquals(502, response.statusCode(), response.body());
    assertTrue(response.body().contains("closed or reset"), response.body());
  }

  @Test
  void noReadyReplicaIs503WithRetryAfter() throws Exception {
    HttpResponse<String> response = get("/none/");
    assertEquals(503, response.statusCode());
    assertEquals("5", response.headers().firstValue("Retry-After").orElseThrow());
    JsonNode body = Json.objectMapper().readTree(response.body());
    assertEquals("no replica of service none is ready", body.path("error").asText());
    assertEquals("none", body.path("id").asText());
  }

  @Test
  void aReplicaThatDoesNotAnswerInTimeIs504() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = get("/solo/slow?ms=20000");
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(504, response.statusCode(), response.body());
    assertTrue(response.body().contains("did not answer within " + RESPONSE_TIMEOUT.toMillis() + " ms"),
        response.body());
    assertTrue(millis < RESPONSE_TIMEOUT.toMillis() + 5000, "answered after " + millis + " ms");
  }

  @Test
  void aBodyPastTheLimitIs413WhetherDeclaredOrStreamed() throws Exception {
    byte[] small = new byte[BODY_LIMIT / 2];
    JsonNode echoed = json(send(HttpRequest.newBuilder(uri("/solo/up"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(small))));
    assertEquals(small.length, echoed.path("body").asText().length());

    byte[] large = new byte[BODY_LIMIT * 2];
    HttpResponse<String> declared = send(HttpRequest.newBuilder(uri("/solo/up"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(large)));
    assertEquals(413, declared.statusCode(), declared.body());
    assertTrue(declared.body().contains("tugboat.http.proxy.max-request-body"), declared.body());

    HttpResponse<String> streamed = send(HttpRequest.newBuilder(uri("/solo/up"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large))));
    assertEquals(413, streamed.statusCode(), streamed.body());
  }

  // ------------------------------------------------------------------ helpers

  private static void service(String name, Map<Integer, ProxiedService.PublishedPort> ports,
      ProxiedService.Replica... ready) {
    endpoints.put(new ProxiedService(name, "ops", ports, List.of(ready)));
  }

  private static ProxiedService.Replica replica(String id, String host) {
    return new ProxiedService.Replica(id, host);
  }

  /** Reads each request's head, keeps it in {@link #captured}, and answers 204. */
  private static void captureEveryRequest() {
    while (!capturing.isClosed()) {
      try (Socket s = capturing.accept()) {
        java.io.InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
          head.append((char) c);
          if (head.toString().endsWith("\r\n\r\n")) {
            break;
          }
        }
        captured.add(head.toString());
        s.getOutputStream().write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      } catch (java.io.IOException e) {
        // Closed by the test's end: done. Anything else fails the next capturedHeader.
        if (!capturing.isClosed()) {
          captureFailure.compareAndSet(null, e);
        }
      } catch (RuntimeException e) {
        captureFailure.compareAndSet(null, e);
      }
    }
  }

  /** The value of {@code name} in the request head the capturing replica got next. */
  private static List<String> capturedHeader(String name) throws InterruptedException {
    String head = captured.poll(10, TimeUnit.SECONDS);
    if (captureFailure.get() != null) {
      throw new AssertionError("the capturing replica failed", captureFailure.get());
    }
    assertTrue(head != null, "the capturing replica got no request");
    return head.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith(name + ":"))
        .map(l -> l.substring(name.length() + 1).strip()).toList();
  }

  /** Accepts connections and resets each at once (SO_LINGER 0). */
  private static void resetEveryConnection() {
    while (!resetting.isClosed()) {
      try (Socket s = resetting.accept()) {
        s.setSoLinger(true, 0);
        s.getInputStream().read(new byte[64]);
      } catch (Exception e) {
        // The socket was closed by the test's end, or the peer went first: accept the next one.
      }
    }
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    assertEquals(200, response.statusCode(), response.body());
    return Json.objectMapper().readTree(response.body());
  }
}
