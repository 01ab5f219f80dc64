package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.service.ServiceView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Operator actions on services over HTTP: POST .../retry and .../abandon. */
class ServiceActionsIT {
  private static final Readiness READY = () -> CompletableFuture.completedFuture(List.of(Readiness.Check.passed("test")));
  private static final ServiceView HELD = new ServiceView("so", "sim", "held", "so-sim-held", "img:1",
      ServiceView.Phase.HELD, null, null, "create gave up", List.of(), null, Instant.parse("2026-01-01T00:00:00Z"));
  private static final ServiceView RUNNING = new ServiceView("so", "sim", "running", "so-sim-running", "img:1",
      ServiceView.Phase.RUNNING, null, null, null, List.of(), null, Instant.parse("2026-01-01T00:00:00Z"));

  private static ActorTestKit testKit;
  private static FakeDirectory directory;
  private static ServerBinding binding;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void bind() throws Exception {
    testKit = ActorTestKit.create("ServiceActionsIT", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    directory = new FakeDirectory(testKit, Map.of(), Map.of("sim/held", HELD, "sim/running", RUNNING));
    TugboatRoutes routes = new TugboatRoutes(testKit.system(),
        new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(1), Duration.ofSeconds(1)), TestAccess.create(true),
        directory, directory, new FakeSimulationList(List.of()), new FakeServiceRecords(),
        READY, () -> "");
    binding = TestServer.bind(testKit, routes);
  }

  @AfterAll
  static void unbind() throws Exception {
    TestServer.stop(testKit, binding);
  }

  @BeforeEach
  void reset() {
    directory.actions.clear();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "held/retry    | ''                      | 202 | sim/held retry",
      "held/abandon  | ''                      | 202 | sim/held abandon: no reason given",
      "held/abandon  | '{\"reason\":\"bad image\"}' | 202 | sim/held abandon: bad image",
      "running/retry | ''                      | 409 | sim/running retry",
      "running/abandon | '{\"reason\":\"x\"}'   | 409 | sim/running abandon: x"})
  void actionsReachTheServiceAndItsAnswerDecidesTheStatus(String path, String body, int status, String action)
      throws Exception {
    HttpResponse<String> response = post("/api/v1/simulations/sim/services/" + path, body);
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertEquals(List.of(action), List.copyOf(directory.actions));
    if (status == 409) {
      assertTrue(response.body().contains("not HELD"), response.body());
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/api/v1/simulations/sim/services/held/abandon | not json | 400",
      "/api/v1/simulations/a%20b/services/held/retry | ''       | 400",
      "/api/v1/simulations/sim/services/a%2Fb/retry  | ''       | 400"})
  void badRequestsNeverReachAService(String path, String body, int status) throws Exception {
    HttpResponse<String> response = post(path, body);
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(directory.actions.isEmpty());
  }

  @ParameterizedTest
  @CsvSource({"/api/v1/simulations/sim/services/unknown/retry", "/api/v1/simulations/gone/services/held/abandon"})
  void actionsOnAnUnknownServiceAre404AndStartNoEntity(String path) throws Exception {
    directory.lookups.clear();
    HttpResponse<String> response = post(path, "");
    assertEquals(404, response.statusCode(), response.body());
    assertTrue(response.body().contains("service not found"), response.body());
    assertEquals(List.of(), directory.lookups);
    assertTrue(directory.actions.isEmpty());
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", TestAccess.bearer(TestAccess.OPERATOR_TOKEN)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
