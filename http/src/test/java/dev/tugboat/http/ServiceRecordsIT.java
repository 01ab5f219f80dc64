package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.service.ServiceView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A service's history and log over HTTP: every answer of GET .../services/{modelId}/events and
 * .../logs, and that neither wakes an entity (the directory is never asked).
 */
class ServiceRecordsIT {
  private static final Readiness READY = () -> CompletableFuture.completedFuture(List.of(Readiness.Check.passed("test")));
  private static final ServiceView ANY = new ServiceView("so-1", "sim-1", "m", "so-1-sim-1-m", "img:1",
      ServiceView.Phase.RUNNING, null, null, null, List.of(), null, Instant.parse("2024-05-01T12:00:00Z"));
  private static final Duration ASK_TIMEOUT = Duration.ofMillis(300);

  private static ActorTestKit testKit;
  private static FakeDirectory directory;
  private static FakeServiceRecords records;
  private static ServerBinding binding;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void bind() throws Exception {
    testKit = ActorTestKit.create("ServiceRecordsIT", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    directory = new FakeDirectory(testKit, Map.of(),
        Map.of("sim-1/model-a", ANY, "sim-1/model-b", ANY, "sim-1/failing", ANY));
    records = new FakeServiceRecords();
    TugboatRoutes routes = new TugboatRoutes(testKit.system(),
        new HttpSettings("127.0.0.1", 0, ASK_TIMEOUT, Duration.ofSeconds(1)), TestAccess.create(false),
        directory, directory, new FakeSimulationList(List.of()), records, READY, () -> "");
    binding = TestServer.bind(testKit, routes);
  }

  @AfterAll
  static void unbind() throws Exception {
    TestServer.stop(testKit, binding);
  }

  @BeforeEach
  void reset() {
    records.reads.clear();
    directory.lookups.clear();
  }

  // --- events ---------------------------------------------------------------------------------

  @Test
  void historyIsEveryStepInOrderWithItsTimeAndDetails() throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations/sim-1/services/model-b/events", TestAccess.VIEWER_TOKEN);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
    JsonNode items = Json.objectMapper().readTree(response.body()).get("items");
    List<String> types = new ArrayList<>();
    items.forEach(i -> types.add(i.get("type").asText()));
    assertEquals(List.of("REQUESTED", "CREATING", "QUEUED", "CREATED", "RUNNING", "READY", "TERMINATED", "REPORTED",
        "DELETED"), types);
    assertEquals("2024-05-01T12:00:00Z", items.get(0).get("at").asText());
    JsonNode queued = items.get(2);
    assertEquals(2, queued.get("position").asInt());
    assertEquals("pod cap 10 reached", queued.get("reason").asText());
    JsonNode terminated = items.get(6);
    assertEquals("2024-05-01T12:01:00Z", terminated.get("at").asText());
    assertEquals("FAILED", terminated.get("status").asText());
    assertEquals(3, terminated.get("exitCode").asInt());
    assertEquals("Error", terminated.get("reason").asText());
    assertEquals("so-1-sim-1-model-b", terminated.get("podName").asText());
    // Absent details are null, never omitted.
    assertTrue(items.get(0).has("exitCode") && items.get(0).get("exitCode").isNull(), items.get(0).toString());
    assertTrue(items.get(7).get("accepted").asBoolean());
    assertEquals(List.of("sim-1/model-b history"), records.reads);
    assertEquals(List.of(), directory.lookups, "no entity is asked");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/api/v1/simulations/a+b/services/model-a/events | simulation id 'a+b' contains the MQTT topic character '+'",
      "/api/v1/simulations/sim-1/services/model%20a/events | model id 'model a' contains whitespace",
      "/api/v1/simulations/sim-1/services/model-a/events?since=1 | unknown parameter 'since'; this resource takes none",
      "/api/v1/simulations/a+b/services/model-a/logs | simulation id 'a+b' contains the MQTT topic character '+'",
      "/api/v1/simulations/sim-1/services/model-a/logs?tail=0 | tail must be a whole number from 1 to 1000, got '0'",
      "/api/v1/simulations/sim-1/services/model-a/logs?tail=1001 | tail must be a whole number from 1 to 1000, got '1001'",
      "/api/v1/simulations/sim-1/services/model-a/logs?tail=ten | tail must be a whole number from 1 to 1000, got 'ten'",
      "/api/v1/simulations/sim-1/services/model-a/logs?tail= | tail must be a whole number from 1 to 1000, got ''",
      "/api/v1/simulations/sim-1/services/model-a/logs?tail=1&tail=2 | parameter 'tail' given 2 times; give it once",
      "/api/v1/simulations/sim-1/services/model-a/logs?lines=5 | unknown parameter 'lines'; accepted: tail",
  })
  void badInputIs400NamingItBeforeAnythingIsRead(String path, String error) throws Exception {
    HttpResponse<String> response = get(path, TestAccess.VIEWER_TOKEN);
    assertEquals(400, response.statusCode(), response.body());
    assertEquals(error, Json.objectMapper().readTree(response.body()).get("error").asText());
    assertEquals(List.of(), records.reads);
  }

  @ParameterizedTest
  @ValueSource(strings = {"events", "logs"})
  void unknownServiceIs404WithoutReading(String resource) throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations/sim-1/services/model-z/" + resource,
        TestAccess.VIEWER_TOKEN);
    assertEquals(404, response.statusCode(), response.body());
    assertEquals("{\"error\":\"service not found\",\"id\":\"sim-1/model-z\"}", response.body());
    assertEquals(List.of(), records.reads);
    assertEquals(List.of(), directory.lookups);
  }

  @ParameterizedTest
  @CsvSource({
      "/api/v1/simulations/sim-1/services/failing/events, sim-1/failing, could not read the history of sim-1/failing",
      "/api/v1/simulations/silent-1/services/m/events, silent-1/m, could not read the history of silent-1/m within 300 ms",
      "/api/v1/simulations/sim-1/services/failing/logs, sim-1/failing, could not read the log of sim-1/failing",
      "/api/v1/simulations/silent-1/services/m/logs?tail=5, silent-1/m, could not read the log of silent-1/m within 300 ms",
      "/api/v1/simulations/broken-1/services/m/events, broken-1/m, could not look up broken-1/m in the journal",
  })
  void aReadThatFailsOrHangsIs503(String path, String id, String error) throws Exception {
    HttpResponse<String> response = get(path, TestAccess.VIEWER_TOKEN);
    assertEquals(503, response.statusCode(), response.body());
    JsonNode body = Json.objectMapper().readTree(response.body());
    assertEquals(error, body.get("error").asText());
    assertEquals(id, body.get("id").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"events", "logs"})
  void readingNeedsAToken(String resource) throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations/sim-1/services/model-a/" + resource, null);
    assertEquals(401, response.statusCode(), response.body());
    assertEquals(List.of(), records.reads);
  }

  @ParameterizedTest
  @ValueSource(strings = {"events", "logs"})
  void otherMethodsAre405(String resource) throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(
            uri("/api/v1/simulations/sim-1/services/model-a/" + resource))
        .header("Authorization", TestAccess.bearer(TestAccess.OPERATOR_TOKEN))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, response.statusCode(), response.body());
    assertEquals("GET", response.headers().firstValue("Allow").orElseThrow());
  }

  // --- logs -----------------------------------------------------------------------------------

  @Test
  void logOfARunningPodComesFromThePodWithTheDefaultTail() throws Exception {
    JsonNode body = ok("/api/v1/simulations/sim-1/services/model-a/logs");
    assertEquals("pod", body.get("source").asText());
    assertEquals("so-1-sim-1-model-a", body.get("podName").asText());
    assertTrue(body.get("reason").isNull());
    assertEquals(FakeServiceRecords.POD_LOG, lines(body));
    assertEquals(List.of("sim-1/model-a tail=" + ServiceRecordsRoute.DEFAULT_TAIL), records.reads);
    assertEquals(List.of(), directory.lookups, "no entity is asked");
  }

  @Test
  void tailAsksForTheLastLines() throws Exception {
    JsonNode body = ok("/api/v1/simulations/sim-1/services/model-a/logs?tail=2");
    assertEquals(List.of("step 1", "step 2"), lines(body));
    assertEquals(List.of("sim-1/model-a tail=2"), records.reads);
    ok("/api/v1/simulations/sim-1/services/model-a/logs?tail=1000");
    assertEquals("sim-1/model-a tail=1000", records.reads.get(1));
  }

  @Test
  void logOfADeletedPodIsTheStoredTailWithWhy() throws Exception {
    JsonNode body = ok("/api/v1/simulations/sim-1/services/model-b/logs");
    assertEquals("stored", body.get("source").asText());
    assertEquals("the pod does not exist", body.get("reason").asText());
    assertEquals(FakeServiceRecords.STORED_LOG, lines(body));
  }

  // --- OpenAPI --------------------------------------------------------------------------------

  @Test
  void openApiDescriptionIsServedAsJsonToAViewer() throws Exception {
    HttpResponse<String> response = get("/api/v1/openapi.json", TestAccess.VIEWER_TOKEN);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(Json.objectMapper().readTree(response.body()).get("openapi").asText().startsWith("3."));
    assertEquals(401, get("/api/v1/openapi.json", null).statusCode());
  }

  private static JsonNode ok(String path) throws Exception {
    HttpResponse<String> response = get(path, TestAccess.VIEWER_TOKEN);
    assertEquals(200, response.statusCode(), response.body());
    return Json.objectMapper().readTree(response.body());
  }

  private static List<String> lines(JsonNode body) {
    List<String> lines = new ArrayList<>();
    body.get("lines").forEach(l -> lines.add(l.asText()));
    return lines;
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", TestAccess.bearer(token));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
