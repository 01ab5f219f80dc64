package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.events.EventPosition;
import dev.tugboat.protocol.events.LifecycleEvent;
import dev.tugboat.protocol.events.StreamedEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GET /api/v1/events over real HTTP with the journal played by a fixed list of events: the SSE
 * framing (id, event, one JSON data line), the heartbeat comment at the configured interval, the
 * simulation filter, Last-Event-ID winning over after, 410 for a position no longer retained, 400
 * for bad input before anything is opened, and the viewer's session cookie (what a browser's
 * EventSource sends) accepted in place of a token.
 */
class EventStreamIT {

  private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");
  private static final Duration HEARTBEAT = Duration.ofMillis(200);
  private static final EventPosition GONE = EventPosition.of(1, 1);

  private static ActorTestKit testKit;
  private static ServerBinding binding;
  private static HttpClient client;
  private static String base;
  private static final List<Optional<EventPosition>> opened = new CopyOnWriteArrayList<>();

  /** Three events, then nothing (the stream stays open); GONE answers 410. */
  private static final class FixedEvents implements LifecycleEvents {
    @Override
    public int journals() {
      return 2;
    }

    @Override
    public CompletionStage<Opening> open(Optional<EventPosition> after) {
      opened.add(after);
      if (after.equals(Optional.of(GONE))) {
        return CompletableFuture.completedFuture(new Gone("events after 1-1 are no longer retained"));
      }
      List<StreamedEvent> events = List.of(
          new StreamedEvent(EventPosition.of(10, 4), LifecycleEvent.ofSimulation("SimulationDeployed", "sim-a", AT,
              "DEPLOYING")),
          new StreamedEvent(EventPosition.of(10, 5), LifecycleEvent.ofModel("PodRunning", "sim-b", "m1", AT,
              "RUNNING").withPod("pod-1")),
          new StreamedEvent(EventPosition.of(11, 5), LifecycleEvent.ofModel("ModelTerminated", "sim-a", "m1", AT,
              "FAILED").withEnd("FAILED", 137).withReason("line one\nline two")));
      return CompletableFuture.completedFuture(new Opened(
          Source.from(events).concat(Source.<StreamedEvent>maybe().mapMaterializedValue(m -> org.apache.pekko.NotUsed
              .getInstance()))));
    }
  }

  @BeforeAll
  static void bind() throws Exception {
    testKit = ActorTestKit.create("EventStreamIT", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    FakeDirectory directory = new FakeDirectory(testKit, Map.of(), Map.of());
    TugboatRoutes routes = new TugboatRoutes(testKit.system(),
        new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(1), Duration.ofSeconds(1)), TestAccess.create(false),
        directory, directory, new FakeSimulationList(List.of()), new FakeServiceRecords(),
        () -> CompletableFuture.completedFuture(List.of()), () -> "", new FixedEvents(),
        new EventStreamSettings(HEARTBEAT));
    binding = TestServer.bind(testKit, routes);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void unbind() throws Exception {
    TestServer.stop(testKit, binding);
  }

  @BeforeEach
  void reset() {
    opened.clear();
  }

  private static Map<String, String> viewer() {
    return Map.of("Authorization", TestAccess.bearer(TestAccess.VIEWER_TOKEN));
  }

  @Test
  void sendsEachEventWithItsIdTypeAndOneJsonLineThenHeartbeats() throws Exception {
    try (SseClient sse = SseClient.open(client, base + "/api/v1/events", viewer())) {
      assertEquals(200, sse.status());
      assertTrue(sse.contentType().startsWith("text/event-stream"), sse.contentType());
      SseClient.Frame first = sse.nextEvent(Duration.ofSeconds(5));
      assertEquals("10-4", first.id());
      assertEquals("SimulationDeployed", first.event());
      JsonNode data = Json.objectMapper().readTree(first.data());
      assertEquals("sim-a", data.get("simulationId").asText());
      assertEquals("DEPLOYING", data.get("phase").asText());
      assertEquals("2026-01-02T03:04:05Z", data.get("at").asText());
      assertTrue(data.get("modelId") == null, "fields that do not apply are left out: " + first.data());
      assertEquals("10-5", sse.nextEvent(Duration.ofSeconds(5)).id());
      SseClient.Frame end = sse.nextEvent(Duration.ofSeconds(5));
      JsonNode ended = Json.objectMapper().readTree(end.data());
      assertEquals(137, ended.get("exitCode").asInt());
      assertEquals("line one\nline two", ended.get("reason").asText(), "a line break stays inside the one data line");

      long before = System.nanoTime();
      SseClient.Frame heartbeat = sse.next(Duration.ofSeconds(5));
      while (!"heartbeat".equals(heartbeat.comment())) {
        heartbeat = sse.next(Duration.ofSeconds(5));
      }
      assertTrue(System.nanoTime() - before < Duration.ofSeconds(3).toNanos(), "a heartbeat within the interval");
      assertEquals("heartbeat", sse.next(Duration.ofSeconds(5)).comment(), "and again, while nothing happens");
    }
    assertEquals(List.of(Optional.empty()), opened, "without an id the stream starts at now");
  }

  @Test
  void keepsOnlyTheSimulationAsked() throws Exception {
    try (SseClient sse = SseClient.open(client, base + "/api/v1/events?simulation=sim-b", viewer())) {
      SseClient.Frame only = sse.nextEvent(Duration.ofSeconds(5));
      assertEquals("10-5", only.id());
      assertEquals("PodRunning", only.event());
      SseClient.Frame next = sse.next(Duration.ofSeconds(5));
      assertTrue(next.isComment(), "nothing of sim-a follows: " + next);
    }
  }

  @Test
  void lastEventIdWinsOverAfterAsABrowserReconnectingSendsBoth() throws Exception {
    Map<String, String> headers = Map.of("Authorization", TestAccess.bearer(TestAccess.VIEWER_TOKEN),
        "Last-Event-ID", "10-5");
    try (SseClient sse = SseClient.open(client, base + "/api/v1/events?after=3-3", headers)) {
      assertEquals(200, sse.status());
    }
    assertEquals(List.of(Optional.of(EventPosition.of(10, 5))), opened);
    try (SseClient sse = SseClient.open(client, base + "/api/v1/events?after=3-3", viewer())) {
      assertEquals(200, sse.status());
    }
    assertEquals(Optional.of(EventPosition.of(3, 3)), opened.get(1));
  }

  @Test
  void aPositionNoLongerRetainedIsGone() throws Exception {
    HttpResponse<String> response = get("/api/v1/events?after=1-1", viewer());
    assertEquals(410, response.statusCode());
    JsonNode body = Json.objectMapper().readTree(response.body());
    assertEquals("events after 1-1 are no longer retained", body.get("error").asText());
    assertEquals("1-1", body.get("id").asText());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "/api/v1/events?after=12|after: '12' is not an event id of this stream (2 numbers joined by '-')",
      "/api/v1/events?after=1-x|after: '1-x' is not an event id of this stream",
      "/api/v1/events?simulation=a%20b|simulation",
      "/api/v1/events?limit=3|unknown parameter 'limit'; accepted: after, simulation",
      "/api/v1/events?after=1-1&after=2-2|parameter 'after' given 2 times"})
  void refusesBadInputBeforeOpeningAnything(String path, String message) throws Exception {
    HttpResponse<String> response = get(path, viewer());
    assertEquals(400, response.statusCode(), response.body());
    String error = Json.objectMapper().readTree(response.body()).get("error").asText();
    assertTrue(error.startsWith(message), error);
    assertEquals(List.of(), opened);
  }

  @Test
  void aBadLastEventIdIsNamed() throws Exception {
    HttpResponse<String> response = get("/api/v1/events", Map.of("Authorization",
        TestAccess.bearer(TestAccess.VIEWER_TOKEN), "Last-Event-ID", "nope"));
    assertEquals(400, response.statusCode());
    assertTrue(response.body().contains("Last-Event-ID: 'nope' is not an event id"), response.body());
  }

  @Test
  void needsAViewerAndTakesTheSessionCookieABrowserSends() throws Exception {
    assertEquals(401, get("/api/v1/events", Map.of()).statusCode());
    HttpResponse<String> signedIn = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/session"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + TestAccess.VIEWER_TOKEN + "\"}"))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, signedIn.statusCode(), signedIn.body());
    String setCookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    try (SseClient sse = SseClient.open(client, base + "/api/v1/events", Map.of("Cookie", cookie))) {
      assertEquals(200, sse.status());
      assertEquals("10-4", sse.nextEvent(Duration.ofSeconds(5)).id());
    }
  }

  private static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    headers.forEach(request::header);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
