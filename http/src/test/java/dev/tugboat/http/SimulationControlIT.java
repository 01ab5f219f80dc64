package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationReply;
import dev.tugboat.protocol.simulation.SimulationView;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POST /api/v1/simulations and DELETE /api/v1/simulations/{id} against simulations that answer
 * like the entity does: every status code, and that bad input never reaches an entity.
 */
class SimulationControlIT {
  private static final Readiness READY = () -> CompletableFuture.completedFuture(List.of(Readiness.Check.passed("test")));
  private static final int BODY_LIMIT = 4096;

  private static ActorTestKit testKit;
  private static Simulations simulations;
  private static ServerBinding binding;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void bind() throws Exception {
    testKit = ActorTestKit.create("SimulationControlIT", ConfigFactory.parseString(
        "pekko.loglevel = WARNING\ntugboat.http.max-request-body = " + BODY_LIMIT)
        .withFallback(ConfigFactory.load()));
    simulations = new Simulations(testKit);
    TugboatRoutes routes = new TugboatRoutes(testKit.system(),
        new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(1)), TestAccess.create(false),
        simulations, simulations, new FakeSimulationList(List.of()), new FakeServiceRecords(), READY, () -> "");
    binding = TestServer.bind(testKit, routes);
  }

  @AfterAll
  static void unbind() throws Exception {
    TestServer.stop(testKit, binding);
  }

  @BeforeEach
  void reset() {
    simulations.commands.clear();
  }

  private static String body(String simulationId, String image) {
    return "{\"simulationId\":\"" + simulationId + "\",\"simulatorId\":\"204-asd\",\"keepLogsHours\":1.5,"
        + "\"models\":[{\"id\":\"m0\",\"image\":\"" + image + "\",\"env\":{\"EXIT_CODE\":\"0\",\"B\":\"x\"}},"
        + "{\"id\":\"m1\",\"image\":\"registry/model:1\"}]}";
  }

  @Test
  void aFirstDeployIs201WithLocationTheSameAgain200AnotherOne409() throws Exception {
    HttpResponse<String> first = send("POST", "/api/v1/simulations", body("sim-a", "registry/model:1"),
        TestAccess.OPERATOR_TOKEN);
    assertEquals(201, first.statusCode(), first.body());
    assertEquals("/api/v1/simulations/sim-a", first.headers().firstValue("Location").orElse(""));
    JsonNode view = Json.objectMapper().readTree(first.body());
    assertEquals("sim-a", view.path("simulationId").asText());
    SimulationCommand.Deploy deploy = (SimulationCommand.Deploy) simulations.commands.peek();
    assertEquals("204-asd", deploy.simulatorId());
    assertEquals(1.5, deploy.keepLogsHours());
    assertEquals(List.of("EXIT_CODE", "B"), deploy.models().get(0).env().stream().map(e -> e.name()).toList());

    HttpResponse<String> again = send("POST", "/api/v1/simulations", body("sim-a", "registry/model:1"),
        TestAccess.OPERATOR_TOKEN);
    assertEquals(200, again.statusCode(), again.body());
    assertEquals("sim-a", Json.objectMapper().readTree(again.body()).path("simulationId").asText());

    HttpResponse<String> other = send("POST", "/api/v1/simulations", body("sim-a", "registry/model:2"),
        TestAccess.OPERATOR_TOKEN);
    assertEquals(409, other.statusCode(), other.body());
    assertTrue(other.body().contains("different content"), other.body());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
      "{                                                              | not a valid DeployModels",
      "~~                                                             | must be a JSON DeployModels",
      "[1]                                                            | not a valid DeployModels",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"models\":[],\"extra\":1} | unknown field 'extra'; accepted: keepLogsHours, models, simulationId, simulatorId",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"models\":[{\"id\":\"m\",\"img\":\"i:1\"}]} | unknown field 'img' in models[0]; accepted: env, id, image",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"models\":[{\"id\":\"m\",\"image\":\"i:1\"}],\"keepLogsHours\":\"1\"} | field 'keepLogsHours'",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"models\":[{\"id\":7,\"image\":\"i:1\"}]} | field 'models[0].id'",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"models\":[{\"id\":\"m\",\"image\":\"i:1\",\"env\":{\"A\":1}}]} | field 'models[0].env.A'",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"models\":[{\"id\":\"m\",\"image\":\"i:1\",\"env\":{\"A\":null}}]} | env value is null",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"models\":[]} {} | not a valid DeployModels",
      "{\"simulatorId\":\"so\",\"models\":[{\"id\":\"m\",\"image\":\"i:1\"}]} | simulationId is empty",
      "{\"simulationId\":\"a/b\",\"simulatorId\":\"so\",\"models\":[{\"id\":\"m\",\"image\":\"i:1\"}]} | simulationId",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"models\":[{\"id\":\"m/1\",\"image\":\"i:1\"}]} | modelId",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"models\":[{\"id\":\"m\",\"image\":\"Not An Image\"}]} | not a valid image reference",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"models\":[]} | no models",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"models\":[{\"id\":\"m\",\"image\":\"i:1\"},{\"id\":\"m\",\"image\":\"i:1\"}]} | duplicate modelId",
      "{\"simulationId\":\"s\",\"simulatorId\":\"so\",\"keepLogsHours\":-1,\"models\":[{\"id\":\"m\",\"image\":\"i:1\"}]} | keepLogsHours"})
  void badInputIs400WithTheReasonAndReachesNoEntity(String body, String reason) throws Exception {
    HttpResponse<String> response = send("POST", "/api/v1/simulations", body, TestAccess.OPERATOR_TOKEN);
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertTrue(Json.objectMapper().readTree(response.body()).path("error").asText().contains(reason),
        response.body());
    assertTrue(simulations.commands.isEmpty(), simulations.commands.toString());
  }

  @Test
  void aBodyPastTheLimitIs413WhetherDeclaredOrStreamed() throws Exception {
    String big = "{\"simulationId\":\"s\",\"pad\":\"" + "x".repeat(BODY_LIMIT) + "\"}";
    HttpResponse<String> declared = send("POST", "/api/v1/simulations", big, TestAccess.OPERATOR_TOKEN);
    assertEquals(413, declared.statusCode(), declared.body());
    assertTrue(declared.body().contains("tugboat.http.max-request-body"), declared.body());

    HttpResponse<String> streamed = client.send(HttpRequest.newBuilder(uri("/api/v1/simulations"))
        .timeout(Duration.ofSeconds(10)).header("Authorization", TestAccess.bearer(TestAccess.OPERATOR_TOKEN))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(413, streamed.statusCode(), streamed.body());
    assertTrue(simulations.commands.isEmpty());
  }

  @ParameterizedTest
  @CsvSource({"POST, /api/v1/simulations", "DELETE, /api/v1/simulations/sim-running"})
  void everyChangeNeedsAnOperator(String method, String path) throws Exception {
    String body = method.equals("POST") ? body("sim-auth", "registry/model:1") : "";
    assertEquals(401, send(method, path, body, null).statusCode());
    HttpResponse<String> viewer = send(method, path, body, TestAccess.VIEWER_TOKEN);
    assertEquals(403, viewer.statusCode(), viewer.body());
    assertTrue(viewer.body().contains("operator"), viewer.body());
    assertTrue(simulations.commands.isEmpty());
  }

  @Test
  void deleteIs202WhileTerminatingAgainAnd200OnceEnded() throws Exception {
    HttpResponse<String> first = send("DELETE", "/api/v1/simulations/sim-running", "{\"reason\":\"maintenance\"}",
        TestAccess.OPERATOR_TOKEN);
    assertEquals(202, first.statusCode(), first.body());
    assertEquals("sim-running", Json.objectMapper().readTree(first.body()).path("simulationId").asText());
    SimulationCommand.Terminate terminate = (SimulationCommand.Terminate) simulations.commands.peek();
    assertEquals("maintenance", terminate.reason());
    assertEquals("ops", terminate.who());

    assertEquals(202, send("DELETE", "/api/v1/simulations/sim-running", "", TestAccess.OPERATOR_TOKEN).statusCode());
    HttpResponse<String> ended = send("DELETE", "/api/v1/simulations/sim-ended", "", TestAccess.OPERATOR_TOKEN);
    assertEquals(200, ended.statusCode(), ended.body());
    assertEquals("ENDED", Json.objectMapper().readTree(ended.body()).path("phase").asText());
  }

  @Test
  void deleteOfAnUnknownSimulationIs404AndWakesNoEntity() throws Exception {
    HttpResponse<String> response = send("DELETE", "/api/v1/simulations/nobody", "", TestAccess.OPERATOR_TOKEN);
    assertEquals(404, response.statusCode(), response.body());
    assertTrue(response.body().contains("simulation not found"), response.body());
    assertTrue(simulations.lookups.isEmpty() || !simulations.lookups.contains("nobody"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/v1/simulations/a%20b|", "/api/v1/simulations/sim-running|not json",
      "/api/v1/simulations/sim-running|{\"why\":\"x\"}"})
  void badDeletesAre400(String pathAndBody) throws Exception {
    String[] parts = pathAndBody.split("\\|", -1);
    HttpResponse<String> response = send("DELETE", parts[0], parts[1], TestAccess.OPERATOR_TOKEN);
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(simulations.commands.isEmpty());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
  }

  private static HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", TestAccess.bearer(token));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Simulations that answer Deploy, Terminate and Get as the entity does: "sim-running" is deployed,
   * "sim-ended" has ended; every command that reaches one is recorded.
   */
  static final class Simulations implements EntityDirectory, KnownIds {
    final Queue<SimulationCommand> commands = new ConcurrentLinkedQueue<>();
    final Queue<String> lookups = new ConcurrentLinkedQueue<>();
    private final Map<String, ActorRef<SimulationCommand>> entities = new ConcurrentHashMap<>();
    private final ActorTestKit testKit;

    Simulations(ActorTestKit testKit) {
      this.testKit = testKit;
      entity("sim-running").tell(new SimulationCommand.Deploy("so", List.of(new ModelSpec("m", "i:1", List.of())), 0,
          testKit.system().ignoreRef()));
      entity("sim-ended").tell(new SimulationCommand.Deploy("so", List.of(new ModelSpec("m", "i:1", List.of())), 0,
          testKit.system().ignoreRef()));
    }

    private ActorRef<SimulationCommand> entity(String id) {
      return entities.computeIfAbsent(id, i -> testKit.system().systemActorOf(simulation(i, null, false),
          "simulation-" + i.hashCode(), Props.empty()));
    }

    private Behavior<SimulationCommand> simulation(String id, SimulationCommand.Deploy deployed, boolean terminating) {
      return Behaviors.receiveMessage(command -> {
        if (!(command instanceof SimulationCommand.Get)
            && !(command instanceof SimulationCommand.Deploy d && d.replyTo().equals(testKit.system().ignoreRef()))) {
          commands.add(command);
        }
        if (command instanceof SimulationCommand.Deploy d) {
          if (deployed == null) {
            d.replyTo().tell(CommandReply.accepted());
            return simulation(id, d, false);
          }
          boolean same = deployed.simulatorId().equals(d.simulatorId()) && deployed.models().equals(d.models())
              && deployed.keepLogsHours() == d.keepLogsHours();
          d.replyTo().tell(same ? new CommandReply.Duplicate("already deployed")
              : new CommandReply.Conflict("simulation already deployed with different content"));
        } else if (command instanceof SimulationCommand.Terminate t) {
          if (deployed == null) {
            t.replyTo().tell(new CommandReply.Rejected("unknown simulation"));
          } else if (id.equals("sim-ended")) {
            t.replyTo().tell(new CommandReply.Duplicate("simulation has ended"));
          } else {
            t.replyTo().tell(new CommandReply.Accepted(terminating ? "already terminating" : "terminating"));
            return simulation(id, deployed, true);
          }
        } else if (command instanceof SimulationCommand.Get g) {
          g.replyTo().tell(deployed == null ? new SimulationReply.NotFound(id) : new SimulationReply.Found(
              new SimulationView(id, deployed.simulatorId(),
                  id.equals("sim-ended") ? SimulationView.Phase.ENDED : SimulationView.Phase.DEPLOYING,
                  terminating ? "terminated" : null, deployed.keepLogsHours(), Instant.EPOCH, List.of(), false, false,
                  0, List.of())));
        }
        return Behaviors.same();
      });
    }

    @Override
    public CompletionStage<Boolean> simulationExists(String simulationId) {
      return CompletableFuture.completedFuture(simulationId.startsWith("sim-") && entities.containsKey(simulationId));
    }

    @Override
    public CompletionStage<Boolean> serviceExists(ServiceId serviceId) {
      return CompletableFuture.completedFuture(false);
    }

    @Override
    public RecipientRef<SimulationCommand> simulation(String simulationId) {
      lookups.add(simulationId);
      return entity(simulationId);
    }

    @Override
    public RecipientRef<ServiceCommand> service(ServiceId serviceId) {
      throw new AssertionError("no service is looked up by the control routes");
    }

    @Override
    public RecipientRef<HostedCommand> hostedService(String name) {
      throw new AssertionError("no hosted service is looked up by the control routes");
    }
  }
}
