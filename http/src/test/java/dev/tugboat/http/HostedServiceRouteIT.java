package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.http.proxy.ServiceUrls;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.hosted.HostedReply;
import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.HostedStatus;
import dev.tugboat.protocol.hosted.HostedView;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The hosted services' API against entities that answer as HostedServiceEntity does: every status
 * code, the owner taken from the caller, the ports' URLs, and that bad input reaches no entity.
 */
class HostedServiceRouteIT {
  private static final Readiness READY = () -> CompletableFuture.completedFuture(List.of(Readiness.Check.passed("t")));
  private static ActorTestKit testKit;
  private static ServerBinding binding;
  private static Services services;
  private static final HttpClient client = HttpClient.newHttpClient();

  /**
   * Hosted services kept in a map; "busy-*" services are restarting already; a "gone-*" service's
   * deletion is over as soon as it is accepted (it had no pod).
   */
  static final class Services implements EntityDirectory, HostedServiceNames {
    final Map<String, HostedSpec> specs = new ConcurrentHashMap<>();
    final List<HostedCommand> commands = new CopyOnWriteArrayList<>();
    private final ActorTestKit kit;
    private final AtomicLong spawned = new AtomicLong();

    Services(ActorTestKit kit) {
      this.kit = kit;
    }

    @Override
    public RecipientRef<SimulationCommand> simulation(String simulationId) {
      throw new AssertionError("no simulation is looked up");
    }

    @Override
    public RecipientRef<ServiceCommand> service(ServiceId serviceId) {
      throw new AssertionError("no model service is looked up");
    }

    @Override
    public List<String> names() {
      return specs.keySet().stream().sorted().toList();
    }

    private HostedView view(HostedSpec s) {
      return new HostedView(s, HostedView.Phase.ACTIVE, HostedStatus.RUNNING, s.replicas().min(), List.of(),
          Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public RecipientRef<HostedCommand> hostedService(String name) {
      Behavior<HostedCommand> entity = Behaviors.receiveMessage(c -> {
        commands.add(c);
        HostedSpec s = specs.get(name);
        if (c instanceof HostedCommand.Get g) {
          g.replyTo().tell(s == null ? new HostedReply.NotFound(name) : new HostedReply.Found(view(s)));
        } else if (c instanceof HostedCommand.Create cr) {
          HostedSpec old = specs.putIfAbsent(name, cr.spec());
          cr.replyTo().tell(old == null ? new CommandReply.Accepted("created") : old.equals(cr.spec())
              ? new CommandReply.Duplicate("same") : new CommandReply.Conflict("exists with another spec"));
        } else if (c instanceof HostedCommand.Delete d) {
          if (name.startsWith("gone")) {
            specs.remove(name);
          }
          d.replyTo().tell(s == null ? new CommandReply.Rejected("no such") : new CommandReply.Accepted("deleting"));
        } else if (c instanceof HostedCommand.Restart r) {
          r.replyTo().tell(s == null ? new CommandReply.Rejected("no such") : name.startsWith("busy")
              ? new CommandReply.Conflict("restarting already") : new CommandReply.Accepted("restarting"));
        }
        return Behaviors.stopped();
      });
      return kit.system().systemActorOf(entity, "hosted-" + spawned.incrementAndGet(), Props.empty());
    }
  }

  @BeforeAll
  static void bind() throws Exception {
    testKit = ActorTestKit.create("HostedServiceRouteIT", ConfigFactory.parseString(
        "pekko.loglevel = WARNING\ntugboat.hosted.max-replicas = 4").withFallback(ConfigFactory.load()));
    services = new Services(testKit);
    TugboatRoutes routes = new TugboatRoutes(testKit.system(),
        new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(1)), TestAccess.create(false),
        services, new FakeDirectory(testKit, Map.of(), Map.of()), new FakeSimulationList(List.of()),
        new FakeServiceRecords(), READY, () -> "", new QuietLifecycleEvents(),
        new EventStreamSettings(Duration.ofSeconds(10)), new HostedServices(services, new FakeServiceEndpoints(),
        new ServiceUrls(URI.create("https://tugboat.example/"), Optional.empty())));
    binding = TestServer.bind(testKit, routes);
  }

  @AfterAll
  static void unbind() throws Exception {
    TestServer.stop(testKit, binding);
  }

  @BeforeEach
  void reset() {
    services.commands.clear();
  }

  private static String body(String name, String extra) {
    return "{\"name\":\"" + name + "\",\"image\":\"tugboat/echo-service:1\",\"env\":{\"A\":\"1\"},"
        + "\"publishedPorts\":[{\"port\":8888,\"access\":\"private\",\"label\":\"lab\",\"initialPath\":\"/lab\"},"
        + "{\"port\":9000,\"access\":\"public\"}],\"replicas\":{\"min\":1,\"max\":2},\"idleTimeout\":\"PT15M\"" + extra
        + "}";
  }

  private static HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort()
        + path)).method(method, HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", TestAccess.bearer(token));
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void createIs201WithLocationTheSameAgain200AnotherSpec409AndTheCallerOwnsIt() throws Exception {
    HttpResponse<String> first = send("POST", "/api/v1/services", body("lab", ""), TestAccess.OPERATOR_TOKEN);
    assertEquals(201, first.statusCode(), first.body());
    assertEquals("/api/v1/services/lab", first.headers().firstValue("Location").orElse(""));
    JsonNode v = Json.objectMapper().readTree(first.body());
    assertEquals("ops", v.path("owner").asText());
    assertEquals("https://tugboat.example/lab/", v.path("ports").get(0).path("url").asText());
    assertEquals("https://tugboat.example/lab/lab", v.path("ports").get(0).path("initialUrl").asText());
    assertEquals("private", v.path("ports").get(0).path("access").asText());
    assertEquals("https://tugboat.example/lab--9000/", v.path("ports").get(1).path("url").asText());
    assertEquals(200, send("POST", "/api/v1/services", body("lab", ""), TestAccess.OPERATOR_TOKEN).statusCode());
    HttpResponse<String> other = send("POST", "/api/v1/services", body("lab", ",\"owner\":\"alice\""),
        TestAccess.OPERATOR_TOKEN);
    assertEquals(409, other.statusCode(), other.body());
    assertEquals("alice", services.commands.stream().filter(HostedCommand.Create.class::isInstance)
        .map(c -> ((HostedCommand.Create) c).spec().owner()).reduce((a, b) -> b).orElse(""));
    assertEquals(403, send("POST", "/api/v1/services", body("lab2", ""), TestAccess.VIEWER_TOKEN).statusCode());
    assertEquals(401, send("POST", "/api/v1/services", body("lab2", ""), null).statusCode());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{                                              | not a service",
      "{\"name\":\"x\",\"unknown\":1}                 | not a service",
      "api                                            | path of Tugboat's own",
      "a--b                                           | separates a name from a port",
      "Bad_Name                                       | not a DNS label"})
  void badInputIs400AndReachesNoEntity(String input, String reason) throws Exception {
    String body = input.startsWith("{") ? input : body(input, "");
    HttpResponse<String> r = send("POST", "/api/v1/services", body, TestAccess.OPERATOR_TOKEN);
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains(reason), r.body());
    assertTrue(services.commands.isEmpty(), services.commands.toString());
  }

  @Test
  void badSpecValuesAre400WithEveryRuleNamed() throws Exception {
    String body = body("ok", "").replace("\"min\":1,\"max\":2", "\"min\":0,\"max\":9").replace("private", "open");
    HttpResponse<String> r = send("POST", "/api/v1/services", body, TestAccess.OPERATOR_TOKEN);
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("access must be"), r.body());
    r = send("POST", "/api/v1/services", body("ok", "").replace("\"min\":1,\"max\":2", "\"min\":0,\"max\":9"),
        TestAccess.OPERATOR_TOKEN);
    assertTrue(r.body().contains("replicas.min 0") && r.body().contains("cap of 4"), r.body());
    assertTrue(services.commands.isEmpty(), services.commands.toString());
  }

  @Test
  void readListDeleteAndRestartAnswerAsTheEntityDoes() throws Exception {
    assertEquals(201, send("POST", "/api/v1/services", body("web", ""), TestAccess.OPERATOR_TOKEN).statusCode());
    assertEquals(201, send("POST", "/api/v1/services", body("busy-one", ""), TestAccess.OPERATOR_TOKEN).statusCode());
    HttpResponse<String> list = send("GET", "/api/v1/services", "", TestAccess.VIEWER_TOKEN);
    assertEquals(200, list.statusCode(), list.body());
    assertTrue(list.body().contains("\"name\":\"web\"") && list.body().contains("\"name\":\"busy-one\""), list.body());
    assertEquals(200, send("GET", "/api/v1/services/web", "", TestAccess.VIEWER_TOKEN).statusCode());
    assertEquals(404, send("GET", "/api/v1/services/nothing", "", TestAccess.VIEWER_TOKEN).statusCode());
    assertEquals(400, send("GET", "/api/v1/services/Not_One", "", TestAccess.VIEWER_TOKEN).statusCode());
    assertEquals(202, send("POST", "/api/v1/services/web/restart", "", TestAccess.OPERATOR_TOKEN).statusCode());
    assertEquals(409, send("POST", "/api/v1/services/busy-one/restart", "", TestAccess.OPERATOR_TOKEN).statusCode());
    assertEquals(404, send("POST", "/api/v1/services/nothing/restart", "", TestAccess.OPERATOR_TOKEN).statusCode());
    assertEquals(403, send("DELETE", "/api/v1/services/web", "", TestAccess.VIEWER_TOKEN).statusCode());
    assertEquals(202, send("DELETE", "/api/v1/services/web", "", TestAccess.OPERATOR_TOKEN).statusCode());
    assertEquals(404, send("DELETE", "/api/v1/services/nothing", "", TestAccess.OPERATOR_TOKEN).statusCode());
    assertEquals(201, send("POST", "/api/v1/services", body("gone-at-once", ""), TestAccess.OPERATOR_TOKEN).statusCode());
    HttpResponse<String> gone = send("DELETE", "/api/v1/services/gone-at-once", "", TestAccess.OPERATOR_TOKEN);
    assertEquals(204, gone.statusCode(), gone.body());
    assertEquals("", gone.body());
  }
}
