package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.simulation.ModelPhase;
import dev.tugboat.protocol.simulation.SimulationSummary;
import dev.tugboat.protocol.simulation.SimulationView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GET /api/v1/simulations over real HTTP, with the read model played by {@link FakeSimulationList}
 * and anonymous reading off: paging newest first through opaque cursors, the filters, a 400 naming
 * each bad parameter (without reading the list), 401 without a token and 503 when the list cannot
 * be read.
 */
class SimulationListIT {

  private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
  /** Seven simulations, oldest first: sim-1 .. sim-7; odd ones ENDED by so-1, even ones DEPLOYING by so-2. */
  private static final List<SimulationSummary> OLDEST_FIRST = new ArrayList<>();

  static {
    for (int i = 1; i <= 7; i++) {
      boolean ended = i % 2 == 1;
      OLDEST_FIRST.add(new SimulationSummary("sim-" + i, ended ? "so-1" : "so-2",
          ended ? SimulationView.Phase.ENDED : SimulationView.Phase.DEPLOYING,
          ended ? Map.of(ModelPhase.SUCCEEDED, 2, ModelPhase.FAILED, 1) : Map.of(ModelPhase.REQUESTED, 3),
          T0.plusSeconds(i), ended ? T0.plusSeconds(100 + i) : null));
    }
  }

  private static ActorTestKit testKit;
  private static FakeSimulationList list;
  private static ServerBinding binding;
  private static HttpClient client;
  private static String base;

  @BeforeAll
  static void bind() throws Exception {
    testKit = ActorTestKit.create("SimulationListIT", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    list = new FakeSimulationList(OLDEST_FIRST);
    FakeDirectory directory = new FakeDirectory(testKit, Map.of(), Map.of());
    TugboatRoutes routes = new TugboatRoutes(testKit.system(),
        new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(1), Duration.ofSeconds(1)), TestAccess.create(false),
        directory, directory, list, new FakeServiceRecords(), () -> java.util.concurrent.CompletableFuture.completedFuture(List.of()),
        () -> "");
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
    list.queries.clear();
    list.failing = false;
  }

  @Test
  void listsNewestFirstWithCountsByModelPhaseAndNoNextOnTheLastPage() throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations", TestAccess.VIEWER_TOKEN);

    assertEquals(200, response.statusCode(), response.body());
    JsonNode json = Json.objectMapper().readTree(response.body());
    assertTrue(json.get("next").isNull(), "every simulation fits the default page");
    assertEquals(List.of("sim-7", "sim-6", "sim-5", "sim-4", "sim-3", "sim-2", "sim-1"), ids(json));
    JsonNode newest = json.get("items").get(0);
    assertEquals("so-1", newest.get("simulatorId").asText());
    assertEquals("ENDED", newest.get("phase").asText());
    assertEquals("2024-05-01T12:00:07Z", newest.get("deployedAt").asText());
    assertEquals("2024-05-01T12:01:47Z", newest.get("endedAt").asText());
    assertEquals(Map.of("REQUESTED", 0, "STARTING", 0, "READY", 0, "SUCCEEDED", 2, "FAILED", 1),
        Json.objectMapper().convertValue(newest.get("models"), Map.class));
    assertTrue(json.get("items").get(1).get("endedAt").isNull(), "absent values are null, not omitted");
    assertEquals(SimulationListRoute.DEFAULT_LIMIT, list.queries.get(0).limit());
  }

  @Test
  void pagesFollowTheNextCursorWithoutGapOrRepeat() throws Exception {
    List<String> seen = new ArrayList<>();
    String path = "/api/v1/simulations?limit=3";
    int pages = 0;
    while (path != null) {
      HttpResponse<String> response = get(path, TestAccess.VIEWER_TOKEN);
      assertEquals(200, response.statusCode(), response.body());
      JsonNode json = Json.objectMapper().readTree(response.body());
      seen.addAll(ids(json));
      pages++;
      path = json.get("next").isNull() ? null : "/api/v1/simulations?limit=3&after=" + json.get("next").asText();
    }
    assertEquals(3, pages);
    assertEquals(List.of("sim-7", "sim-6", "sim-5", "sim-4", "sim-3", "sim-2", "sim-1"), seen);
  }

  @Test
  void filtersByPhaseAndExactSimulator() throws Exception {
    JsonNode ended = Json.objectMapper().readTree(
        get("/api/v1/simulations?phase=ENDED", TestAccess.VIEWER_TOKEN).body());
    assertEquals(List.of("sim-7", "sim-5", "sim-3", "sim-1"), ids(ended));

    JsonNode bySimulator = Json.objectMapper().readTree(
        get("/api/v1/simulations?simulator=so-2&limit=2", TestAccess.VIEWER_TOKEN).body());
    assertEquals(List.of("sim-6", "sim-4"), ids(bySimulator));
    assertTrue(!bySimulator.get("next").isNull());

    JsonNode none = Json.objectMapper().readTree(
        get("/api/v1/simulations?simulator=so&phase=ENDED", TestAccess.VIEWER_TOKEN).body());
    assertEquals(List.of(), ids(none));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "limit=0 | limit must be a whole number from 1 to 500, got '0'",
      "limit=501 | limit must be a whole number from 1 to 500, got '501'",
      "limit=ten | limit must be a whole number from 1 to 500, got 'ten'",
      "phase=RUNNING | phase must be one of DEPLOYING, READY, ENDED, REJECTED, got 'RUNNING'",
      "phase=ended | phase must be one of DEPLOYING, READY, ENDED, REJECTED, got 'ended'",
      "after=bm90LWEtY3Vyc29y | after must be the 'next' cursor of an earlier page, got 'bm90LWEtY3Vyc29y'",
      "after=%25%25 | after must be the 'next' cursor of an earlier page, got '%%'",
      "simulator=a%2Bb | simulator 'a+b' contains the MQTT topic character '+'",
      "status=ENDED | unknown parameter 'status'; accepted: phase, simulator, limit, after",
      "limit=1&limit=2 | parameter 'limit' given 2 times; give it once"})
  void badParametersAre400WithTheReasonAndReadNothing(String query, String reason) throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations?" + query, TestAccess.VIEWER_TOKEN);

    assertEquals(400, response.statusCode(), response.body());
    assertEquals(reason, Json.objectMapper().readTree(response.body()).get("error").asText());
    assertEquals(List.of(), list.queries);
  }

  @Test
  void readingNeedsAToken() throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations", null);

    assertEquals(401, response.statusCode());
    assertEquals(List.of(), list.queries);
    assertEquals(200, get("/api/v1/simulations", TestAccess.OPERATOR_TOKEN).statusCode());
  }

  @Test
  void aListThatCannotBeReadIs503() throws Exception {
    list.failing = true;

    HttpResponse<String> response = get("/api/v1/simulations", TestAccess.VIEWER_TOKEN);

    assertEquals(503, response.statusCode());
    assertEquals("could not read the simulation list from the journal",
        Json.objectMapper().readTree(response.body()).get("error").asText());
  }

  @Test
  void otherMethodsAre405() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/simulations"))
            .header("Authorization", TestAccess.bearer(TestAccess.OPERATOR_TOKEN))
            .PUT(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(405, response.statusCode());
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("items").forEach(item -> ids.add(item.get("simulationId").asText()));
    return ids;
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (token != null) {
      request.header("Authorization", TestAccess.bearer(token));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
