package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceView;
import dev.tugboat.protocol.simulation.ModelPhase;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationView;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** The whole route over real HTTP on an ephemeral port, with entities played by small actors and probes. */
class TugboatRoutesIT {

  private static final Duration ASK_TIMEOUT = Duration.ofMillis(300);
  private static final Instant DEPLOYED_AT = Instant.parse("2024-05-01T12:00:00Z");
  private static final Instant UPDATED_AT = Instant.parse("2024-05-01T12:34:56.789Z");
  private static final Instant DELETE_AT = Instant.parse("2024-05-02T12:34:56Z");

  private static final SimulationView SIMULATION = new SimulationView(
      "sim-1", "so-1", SimulationView.Phase.READY, null, 2.5, DEPLOYED_AT,
      List.of(
          new SimulationView.Model("model-a", "so-1-sim-1-model-a", ModelPhase.READY, true, false, null, null, null,
              DEPLOYED_AT.plusSeconds(1), DEPLOYED_AT.plusSeconds(5), null),
          new SimulationView.Model("model-b", "so-1-sim-1-model-b", ModelPhase.FAILED, true, true,
              TerminationStatus.FAILED, 3, "Error", DEPLOYED_AT.plusSeconds(1), DEPLOYED_AT.plusSeconds(6),
              DEPLOYED_AT.plusSeconds(60))),
      true, false, 1, List.of());
  /** An id that must arrive URL-decoded to be found. */
  private static final SimulationView UNICODE_SIMULATION = new SimulationView(
      "sim-ü:1", "so-1", SimulationView.Phase.DEPLOYING, null, 0, DEPLOYED_AT, List.of(), false, false, 0, List.of());
  private static final ServiceView SERVICE = new ServiceView(
      "so-1", "sim-1", "model-b", "so-1-sim-1-model-b", "registry.example/model-b:1",
      ServiceView.Phase.TERMINATED, TerminationStatus.FAILED, 3, "Error", List.of("starting", "boom"),
      DELETE_AT, UPDATED_AT);
  private static final ServiceView RUNNING_SERVICE = new ServiceView(
      "so-1", "sim-1", "model-a", "so-1-sim-1-model-a", "registry.example/model-a:1",
      ServiceView.Phase.RUNNING, null, null, null, List.of(), null, UPDATED_AT);

  private static ActorTestKit testKit;
  private static FakeDirectory directory;
  private static ServerBinding binding;
  private static HttpClient client;
  private static String base;
  private static final AtomicReference<Readiness> readiness = new AtomicReference<>();
  private static final AtomicReference<Supplier<String>> scrape = new AtomicReference<>();

  private final ListAppender<ILoggingEvent> routeLog = new ListAppender<>();

  @BeforeAll
  static void bind() throws Exception {
    testKit = ActorTestKit.create("TugboatRoutesIT", ConfigFactory.parseString(
        "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
            + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n"
            + "pekko.loglevel = WARNING"));
    directory = new FakeDirectory(testKit,
        Map.of(SIMULATION.simulationId(), SIMULATION, UNICODE_SIMULATION.simulationId(), UNICODE_SIMULATION),
        Map.of("sim-1/model-b", SERVICE, "sim-1/model-a", RUNNING_SERVICE));
    HttpSettings settings = new HttpSettings("127.0.0.1", 0, ASK_TIMEOUT, Duration.ofSeconds(1));
    TugboatRoutes routes = new TugboatRoutes(testKit.system(), settings, TestAccess.create(true), directory, directory,
        new FakeSimulationList(List.of()), new FakeServiceRecords(), () -> readiness.get().check(),
        () -> scrape.get().get());
    binding = TestServer.bind(testKit, routes);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void unbind() throws Exception {
    if (binding != null) {
      binding.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void reset() {
    directory.lookups.clear();
    directory.existenceChecks.clear();
    readiness.set(() -> CompletableFuture.completedFuture(List.of()));
    scrape.set(() -> "");
    routeLog.start();
    // Captured, not printed: the WARN and ERROR lines these tests provoke are asserted on.
    Logger logger = (Logger) LoggerFactory.getLogger(TugboatRoutes.class);
    logger.addAppender(routeLog);
    logger.setAdditive(false);
  }

  @AfterEach
  void detachLog() {
    Logger logger = (Logger) LoggerFactory.getLogger(TugboatRoutes.class);
    logger.detachAppender(routeLog);
    logger.setAdditive(true);
  }

  // --- simulations ---------------------------------------------------------------------------

  @Test
  void foundSimulationIsServedAsJsonWithIsoDatesAndEnumNames() throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations/sim-1");

    assertEquals(200, response.statusCode());
    assertJson(response);
    JsonNode json = Json.objectMapper().readTree(response.body());
    assertEquals(componentNames(SimulationView.class), fieldNames(json));
    assertEquals("sim-1", json.get("simulationId").asText());
    assertEquals("so-1", json.get("simulatorId").asText());
    assertEquals("READY", json.get("phase").asText());
    assertTrue(json.get("reason").isNull());
    assertEquals(2.5, json.get("keepLogsHours").asDouble());
    assertEquals("2024-05-01T12:00:00Z", json.get("deployedAt").asText());
    assertTrue(json.get("modelsReadySent").asBoolean());
    assertEquals(1, json.get("pendingNotifications").asInt());
    JsonNode model = json.get("models").get(1);
    assertEquals(componentNames(SimulationView.Model.class), fieldNames(model));
    assertEquals("model-b", model.get("modelId").asText());
    assertEquals("FAILED", model.get("status").asText());
    assertEquals(3, model.get("exitCode").asInt());
    assertEquals("FAILED", model.get("phase").asText());
    assertEquals("so-1-sim-1-model-b", model.get("podName").asText());
    assertEquals("2024-05-01T12:00:01Z", model.get("acceptedAt").asText());
    assertEquals("2024-05-01T12:00:06Z", model.get("readyAt").asText());
    assertEquals("2024-05-01T12:01:00Z", model.get("endedAt").asText());
    assertTrue(json.get("models").get(0).get("endedAt").isNull());
    // The JSON reads back into the very view the entity sent.
    assertEquals(SIMULATION, Json.objectMapper().readValue(response.body(), SimulationView.class));
  }

  @Test
  void pathSegmentsAreUrlDecodedBeforeTheLookup() throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations/sim-%C3%BC%3A1");

    assertEquals(200, response.statusCode());
    assertEquals("sim-ü:1", Json.objectMapper().readTree(response.body()).get("simulationId").asText());
    assertEquals(List.of("sim-ü:1"), directory.lookups);
  }

  @Test
  void unknownSimulationIs404WithItsId() throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations/sim-404");

    assertEquals(404, response.statusCode());
    assertJson(response);
    JsonNode json = Json.objectMapper().readTree(response.body());
    assertEquals("simulation not found", json.get("error").asText());
    assertEquals("sim-404", json.get("id").asText());
  }

  @ParameterizedTest
  @CsvSource({
      "/api/v1/simulations/sim-404, sim-404, simulation not found",
      "/api/v1/simulations/sim-404/services/model-a, sim-404/model-a, service not found",
      "/api/v1/simulations/sim-1/services/model-z, sim-1/model-z, service not found"})
  void unknownIdIs404WithoutAnyEntityLookedUp(String path, String id, String error) throws Exception {
    HttpResponse<String> response = get(path);

    assertEquals(404, response.statusCode());
    JsonNode json = Json.objectMapper().readTree(response.body());
    assertEquals(error, json.get("error").asText());
    assertEquals(id, json.get("id").asText());
    assertEquals(List.of(id), directory.existenceChecks);
    assertEquals(List.of(), directory.lookups);
    directory.silentSimulations.expectNoMessage(Duration.ofMillis(20));
    directory.silentServices.expectNoMessage(Duration.ofMillis(20));
  }

  @ParameterizedTest
  @CsvSource({"/api/v1/simulations/broken-1, broken-1", "/api/v1/simulations/broken-1/services/m, broken-1/m"})
  void aFailedExistenceCheckIs503AndNoEntityIsLookedUp(String path, String id) throws Exception {
    HttpResponse<String> response = get(path);

    assertEquals(503, response.statusCode());
    assertJson(response);
    assertEquals(id, Json.objectMapper().readTree(response.body()).get("id").asText());
    assertEquals(List.of(), directory.lookups);
  }

  // --- services ------------------------------------------------------------------------------

  @Test
  void foundServiceIsServedAsJson() throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations/sim-1/services/model-b");

    assertEquals(200, response.statusCode());
    assertJson(response);
    JsonNode json = Json.objectMapper().readTree(response.body());
    assertEquals(componentNames(ServiceView.class), fieldNames(json));
    assertEquals("TERMINATED", json.get("phase").asText());
    assertEquals("FAILED", json.get("terminationStatus").asText());
    assertEquals(3, json.get("exitCode").asInt());
    assertEquals("boom", json.get("lastLogLines").get(1).asText());
    assertEquals("2024-05-02T12:34:56Z", json.get("deleteAt").asText());
    assertEquals("2024-05-01T12:34:56.789Z", json.get("updatedAt").asText());
    assertEquals(SERVICE, Json.objectMapper().readValue(response.body(), ServiceView.class));
    assertEquals(List.of("sim-1/model-b"), directory.lookups);
  }

  @Test
  void runningServiceShowsItsUnsetFieldsAsNull() throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations/sim-1/services/model-a");

    assertEquals(200, response.statusCode());
    JsonNode json = Json.objectMapper().readTree(response.body());
    assertEquals("RUNNING", json.get("phase").asText());
    assertTrue(json.get("terminationStatus").isNull());
    assertTrue(json.get("exitCode").isNull());
    assertTrue(json.get("deleteAt").isNull());
    assertEquals(0, json.get("lastLogLines").size());
  }

  @Test
  void unknownServiceIs404WithItsEntityId() throws Exception {
    HttpResponse<String> response = get("/api/v1/simulations/sim-1/services/model-z");

    assertEquals(404, response.statusCode());
    assertJson(response);
    JsonNode json = Json.objectMapper().readTree(response.body());
    assertEquals("service not found", json.get("error").asText());
    assertEquals("sim-1/model-z", json.get("id").asText());
  }

  // --- invalid ids ---------------------------------------------------------------------------

  static Stream<Arguments> invalidIds() {
    String tooLong = "s".repeat(254);
    return Stream.of(
        Arguments.of("/api/v1/simulations/a%2Fb", "a/b"),
        Arguments.of("/api/v1/simulations/a+b", "a+b"),
        Arguments.of("/api/v1/simulations/a%23b", "a#b"),
        Arguments.of("/api/v1/simulations/a%20b", "a b"),
        Arguments.of("/api/v1/simulations/a%09b", "a\\u0009b"),
        Arguments.of("/api/v1/simulations/a%01b", "a\\u0001b"),
        // The echoed id is cut to the longest valid length, like every id Tugboat logs.
        Arguments.of("/api/v1/simulations/" + tooLong, tooLong.substring(0, 253)),
        Arguments.of("/api/v1/simulations/bad%2Fsim/services/model-a", "bad/sim"),
        Arguments.of("/api/v1/simulations/sim-1/services/model+a", "model+a"),
        Arguments.of("/api/v1/simulations/sim-1/services/model%20a", "model a"),
        Arguments.of("/api/v1/simulations/silent-1/services/" + tooLong, tooLong.substring(0, 253)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidIds")
  void invalidIdIs400AndNoEntityIsTouched(String path, String reportedId) throws Exception {
    HttpResponse<String> response = get(path);

    assertEquals(400, response.statusCode());
    assertJson(response);
    JsonNode json = Json.objectMapper().readTree(response.body());
    assertTrue(json.get("error").asText().contains("id"), json.toString());
    assertEquals(reportedId, json.get("id").asText());
    assertEquals(List.of(), directory.lookups);
    directory.silentSimulations.expectNoMessage(Duration.ofMillis(20));
    directory.silentServices.expectNoMessage(Duration.ofMillis(20));
  }

  // --- timeouts ------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "/api/v1/simulations/silent-1, silent-1",
      "/api/v1/simulations/silent-1/services/model-a, silent-1/model-a"})
  void silentEntityIs503NamingItsId(String path, String entityId) throws Exception {
    CompletableFuture<HttpResponse<String>> pending = client.sendAsync(
        request(path).GET().build(), HttpResponse.BodyHandlers.ofString());

    // The Get did reach the entity; the entity just never answered.
    if (path.contains("/services/")) {
      directory.silentServices.expectMessageClass(ServiceCommand.Get.class);
    } else {
      directory.silentSimulations.expectMessageClass(SimulationCommand.Get.class);
    }
    HttpResponse<String> response = pending.get(10, TimeUnit.SECONDS);

    assertEquals(503, response.statusCode());
    assertJson(response);
    JsonNode json = Json.objectMapper().readTree(response.body());
    assertEquals(entityId, json.get("id").asText());
    assertTrue(json.get("error").asText().contains(entityId), json.toString());
    assertTrue(logged(Level.WARN, entityId), "a WARN line names " + entityId);
  }

  // --- health and metrics --------------------------------------------------------------------

  @Test
  void livenessIsAlwaysUp() throws Exception {
    HttpResponse<String> response = get("/health/live");

    assertEquals(200, response.statusCode());
    assertJson(response);
    assertEquals("{\"status\":\"UP\"}", response.body());
  }

  @Test
  void everyRequestIsAccessLoggedAtDebug() throws Exception {
    Logger access = (Logger) LoggerFactory.getLogger("dev.tugboat.http.access");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    access.addAppender(lines);
    access.setAdditive(false);
    access.setLevel(Level.DEBUG);
    try {
      get("/health/live");
      get("/nowhere");

      List<String> messages = lines.list.stream()
          .filter(e -> e.getLevel() == Level.DEBUG).map(ILoggingEvent::getFormattedMessage).toList();
      assertTrue(messages.stream().anyMatch(m -> m.startsWith("GET /health/live -> 200")), messages.toString());
      assertTrue(messages.stream().anyMatch(m -> m.startsWith("GET /nowhere -> 404")), messages.toString());
    } finally {
      access.detachAppender(lines);
      access.setAdditive(true);
      access.setLevel(null);
    }
  }

  @Test
  void readinessIsUpOnlyWhenEveryCheckPassesAndListsThemAll() throws Exception {
    readiness.set(() -> CompletableFuture.completedFuture(List.of(
        Readiness.Check.passed("cluster"), Readiness.Check.failed("journal", "no answer within 1000 ms"))));
    HttpResponse<String> notReady = get("/health/ready");
    assertEquals(503, notReady.statusCode());
    assertJson(notReady);
    assertEquals("{\"status\":\"DOWN\",\"checks\":[{\"name\":\"cluster\",\"ok\":true},"
        + "{\"name\":\"journal\",\"ok\":false,\"reason\":\"no answer within 1000 ms\"}]}", notReady.body());

    readiness.set(() -> CompletableFuture.completedFuture(List.of(
        Readiness.Check.passed("cluster"), Readiness.Check.passed("journal"))));
    HttpResponse<String> isReady = get("/health/ready");
    assertEquals(200, isReady.statusCode());
    assertEquals("{\"status\":\"UP\",\"checks\":[{\"name\":\"cluster\",\"ok\":true},"
        + "{\"name\":\"journal\",\"ok\":true}]}", isReady.body());
  }

  @Test
  void readinessWithNoChecksOrAFailedStageIsDown() throws Exception {
    assertEquals(503, get("/health/ready").statusCode());

    readiness.set(() -> CompletableFuture.failedFuture(new IllegalStateException("checks broke")));
    HttpResponse<String> failed = get("/health/ready");
    assertEquals(503, failed.statusCode());
    JsonNode body = Json.objectMapper().readTree(failed.body());
    assertEquals("DOWN", body.get("status").asText());
    assertTrue(body.get("checks").get(0).get("reason").asText().contains("checks broke"), failed.body());
  }

  @Test
  void metricsServesTheScrapeAsPrometheusText() throws Exception {
    String exposition = "# HELP tugboat_mqtt_connected 1 while the bridge is connected to the broker and subscribed\n"
        + "# TYPE tugboat_mqtt_connected gauge\n"
        + "tugboat_mqtt_connected 1.0\n";
    scrape.set(() -> exposition);

    HttpResponse<String> response = get("/metrics");

    assertEquals(200, response.statusCode());
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    assertTrue(contentType.startsWith("text/plain"), contentType);
    assertTrue(contentType.contains("version=0.0.4"), contentType);
    assertEquals(exposition, response.body());
  }

  @Test
  void anUnexpectedExceptionIs500JsonAndALoggedErrorAndTheServerCarriesOn() throws Exception {
    scrape.set(() -> {
      throw new IllegalStateException("registry closed");
    });

    HttpResponse<String> response = get("/metrics");

    assertEquals(500, response.statusCode());
    assertJson(response);
    assertEquals("internal server error", Json.objectMapper().readTree(response.body()).get("error").asText());
    assertTrue(logged(Level.ERROR, "/metrics"), "an ERROR line names the request");
    assertEquals(200, get("/health/live").statusCode());
  }

  // --- routing errors ------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "/api",
      "/api/v1/simulations/",
      "/api/v1/simulations/sim-1/",
      "/api/v1/simulations/sim-1/services",
      "/api/v1/simulations/sim-1/services/model-a/stdout",
      "/api/v2/simulations/sim-1",
      "/health",
      "/metrics/extra"})
  void unknownPathIs404Json(String path) throws Exception {
    HttpResponse<String> response = get(path);

    assertEquals(404, response.statusCode());
    assertJson(response);
    assertTrue(Json.objectMapper().readTree(response.body()).hasNonNull("error"));
    assertEquals(List.of(), directory.lookups);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "POST   | /api/v1/simulations/sim-1                | GET, DELETE",
      "PUT    | /api/v1/simulations                      | GET, POST",
      "PUT    | /api/v1/simulations/sim-1/services/model-a | GET",
      "DELETE | /api/v1/simulations/sim-1/services/model-a | GET",
      "POST   | /health/live                             | GET",
      "PUT    | /health/ready                            | GET",
      "POST   | /metrics                                 | GET"})
  void wrongMethodIs405JsonWithAllow(String method, String path, String allowed) throws Exception {
    HttpResponse<String> response = client.send(
        request(path).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(405, response.statusCode());
    assertJson(response);
    java.util.Set<String> expected = java.util.Set.of(allowed.split(", "));
    assertEquals(expected, java.util.Set.of(response.headers().firstValue("Allow").orElse("").split(", ")));
    String error = Json.objectMapper().readTree(response.body()).get("error").asText();
    assertTrue(expected.stream().allMatch(error::contains), error);
    assertEquals(List.of(), directory.lookups);
  }

  // --- helpers -------------------------------------------------------------------------------

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertJson(HttpResponse<String> response) {
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    assertTrue(contentType.startsWith("application/json"), contentType);
  }

  private static Set<String> componentNames(Class<? extends Record> type) {
    Set<String> names = new TreeSet<>();
    Arrays.stream(type.getRecordComponents()).forEach(c -> names.add(c.getName()));
    return names;
  }

  private static Set<String> fieldNames(JsonNode json) {
    Set<String> names = new TreeSet<>();
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  private boolean logged(Level level, String text) {
    return routeLog.list.stream().anyMatch(e -> e.getLevel() == level && e.getFormattedMessage().contains(text));
  }
}
