package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HttpServer.start as node calls it: binds from settings, serves, reports a failed bind. */
class HttpServerIT {
  private static final Readiness READY = () -> CompletableFuture.completedFuture(List.of(Readiness.Check.passed("test")));

  /** No request in these tests reaches an entity route. */
  private static final KnownIds NO_IDS = new KnownIds() {
    @Override
    public java.util.concurrent.CompletionStage<Boolean> simulationExists(String simulationId) {
      throw new AssertionError("no id is looked up");
    }

    @Override
    public java.util.concurrent.CompletionStage<Boolean> serviceExists(ServiceId serviceId) {
      throw new AssertionError("no id is looked up");
    }
  };

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("HttpServerIT", ConfigFactory.parseString(
        "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
            + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n"
            + "pekko.loglevel = WARNING"));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void startsOnTheConfiguredInterfaceAndServes() throws Exception {
    HttpSettings settings = new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(1), Duration.ofSeconds(1));
    FakeDirectory directory = new FakeDirectory(testKit, Map.of(), Map.of());
    ServerBinding binding = HttpServer.start(testKit.system(), settings, TestAccess.create(true), directory, directory,
        new FakeSimulationList(List.of()), new FakeServiceRecords(), READY, () -> "up 1\n")
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/metrics"))
              .timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());

      assertEquals(200, response.statusCode());
      assertEquals("up 1\n", response.body());
    } finally {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aTakenPortFailsTheStage() throws Exception {
    HttpSettings any = new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(1), Duration.ofSeconds(1));
    EntityDirectory unused = new EntityDirectory() {
      @Override
      public RecipientRef<SimulationCommand> simulation(String simulationId) {
        throw new AssertionError("no entity is looked up");
      }

      @Override
      public RecipientRef<ServiceCommand> service(ServiceId serviceId) {
        throw new AssertionError("no entity is looked up");
      }

      @Override
      public RecipientRef<HostedCommand> hostedService(String name) {
        throw new AssertionError("no entity is looked up");
      }
    };
    ServerBinding first = HttpServer.start(testKit.system(), any, TestAccess.create(true), unused, NO_IDS,
        new FakeSimulationList(List.of()), new FakeServiceRecords(), READY, () -> "")
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      HttpSettings same = new HttpSettings("127.0.0.1", first.localAddress().getPort(),
          Duration.ofSeconds(1), Duration.ofSeconds(1));
      assertThrows(ExecutionException.class, () -> HttpServer.start(testKit.system(), same, TestAccess.create(true), unused, NO_IDS,
        new FakeSimulationList(List.of()), new FakeServiceRecords(), READY, () -> "")
          .toCompletableFuture().get(10, TimeUnit.SECONDS));
    } finally {
      first.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
