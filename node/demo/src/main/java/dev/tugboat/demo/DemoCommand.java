package dev.tugboat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.http.auth.TokenHash;
import dev.tugboat.mqtt.sim.Quickstart;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.node.TugboatNode;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tugboat demo}: the DOTS quickstart on the embedded stack. A simulated SO deploys four
 * fake models in simulation sim02-abc of simulator 204-asd (EXIT_CODE unset, 1, 2, unset) and
 * prints every lifecycle message Tugboat publishes; exits 0 after AllModelsHaveTerminated, or
 * with {@code --keep-running} serves on until Ctrl-C so the printed links work. Beside it, the
 * long-lived service {@code echo} runs behind the node's proxy, created over HTTP with an operator
 * token made for this run.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Show what Tugboat does, in one process, with nothing to install.",
        "",
        "Tugboat is the part of DOTS (a platform for energy-system simulations) that starts the simulation's"
            + " models as Kubernetes pods when asked over MQTT, reports when they are ready and when they end,"
            + " and removes them afterwards. This demo starts:",
        "  - an MQTT broker (the message bus DOTS talks over), on --mqtt-port;",
        "  - a simulated Kubernetes, whose 'pods' run a fake model instead of a container;",
        "  - a Tugboat node, with its HTTP API on --http-port;",
        "  - a long-lived service, 'echo' (a small HTTP and WebSocket echo server), which the node's proxy"
            + " serves at http://127.0.0.1:<http-port>/echo/, and an operator token for this run to change things"
            + " over HTTP;",
        "  - a simulated orchestrator (the DOTS \"simulation orchestrator\", SO) that asks Tugboat to start"
            + " four models (DeployModels) of simulation sim02-abc.",
        "Models 1 and 2 fail on purpose: they are told to exit with code 1 and 2 (EXIT_CODE), to show how"
            + " Tugboat reports a failed model and keeps its last log lines. Models 0 and 3 succeed.",
        "",
        "Each printed line is one message:",
        "  SO  -> ...  what the simulated orchestrator sent to Tugboat;",
        "  MSO -> ...  what Tugboat (the DOTS \"model services orchestrator\", MSO) sent back: ModelsReady"
            + " (all four models started and said they are ready), ModelHasTerminated (one model ended, with"
            + " its status and exit code), AllModelsHaveTerminated (the simulation is over).",
        "The demo ends after AllModelsHaveTerminated, or with --keep-running stays up until Ctrl-C so the"
            + " printed HTTP links can be opened."},
    footer = {"", "Reads no environment variable: the demo sets its own mode, data directory and ports"
        + " (the log levels TUGBOAT_LOG_LEVEL and TUGBOAT_ROOT_LOG_LEVEL still apply)."})
final class DemoCommand implements Callable<Integer> {
  private static final String SIMULATOR_ID = Quickstart.SIMULATOR_ID;
  private static final String SIMULATION_ID = Quickstart.SIMULATION_ID;
  static final String ECHO_SERVICE = "echo";
  /** Bounds the wait for the echo service's replica; the simulated pod starts in well under it. */
  private static final Duration ECHO_START_TIMEOUT = Duration.ofSeconds(20);

  @Option(names = "--data-dir", description = "Data directory, emptied first (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of("data", "demo");

  @Option(names = "--run-seconds", description = "How long a fake model runs after ReadyForProcessing (default: ${DEFAULT-VALUE}).")
  int runSeconds = 10;

  @Option(names = "--timeout-seconds", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 180;

  @Option(names = "--keep-running",
      description = "After the simulation ends, keep the node (and its HTTP API) up until Ctrl-C.")
  boolean keepRunning;

  @Mixin
  EmbeddedPorts ports = new EmbeddedPorts();

  @Override
  public Integer call() throws Exception {
    String token = TokenHash.newToken();
    try (EmbeddedMode.EmbeddedNode embedded = EmbeddedRun.start(dataDir, ports.mqtt, ports.http, runSeconds, token);
         SimulatedSo so = SimulatedSo.connect(embedded.mqttHost(), ports.mqtt, "dots-so")) {
      TugboatNode node = embedded.node();
      List<ModelSpec> models = Quickstart.models(embedded.mqttHost(), ports.mqtt);
      String api = "http://127.0.0.1:" + node.httpPort() + "/api/v1/simulations/" + SIMULATION_ID;
      System.out.println("Tugboat is up: embedded MQTT broker on " + embedded.mqttHost() + ":" + ports.mqtt
          + ", simulated Kubernetes, HTTP API on http://127.0.0.1:" + node.httpPort());
      System.out.println("Watch it in the dashboard: http://127.0.0.1:" + node.httpPort() + "/#/simulations/"
          + SIMULATION_ID);
      HttpClient http = HttpClient.newHttpClient();
      System.out.println("An operator token for this run only (the demo's tokens file knows it): " + token);
      startEchoService(http, node.httpPort(), token);
      System.out.println("The simulated orchestrator (SO) now asks Tugboat for 4 models; models 1 and 2 are told to"
          + " fail (exit codes 1 and 2), models 0 and 3 to succeed. Each fake model runs " + runSeconds + " s.");
      System.out.println("SO  -> DeployModels simulation=" + SIMULATION_ID + " simulator=" + SIMULATOR_ID
          + " models=" + models.size() + " (EXIT_CODE unset, 1, 2, unset)");
      so.deploy(SIMULATOR_ID, SIMULATION_ID, models, 24.0);
      Instant deadline = Instant.now().plusSeconds(timeoutSeconds);
      while (Instant.now().isBefore(deadline)) {
        Optional<SimulatedSo.Received> next = so.next(Duration.ofSeconds(1));
        if (next.isEmpty()) {
          continue;
        }
        SimulatedSo.Received r = next.get();
        System.out.println("MSO -> " + r.describe());
        explain(r.topic());
        if (r.topic() instanceof Topic.ModelHasTerminated t
            && ((Lifecycle.ModelHasTerminated) r.message()).getStatus() == Lifecycle.TerminationStatus.FAILED) {
          printLastLogLines(http, node.httpPort(), t.modelId());
        }
        if (r.topic() instanceof Topic.AllModelsHaveTerminated) {
          System.out.println("Demo finished: all models have terminated (models 1 and 2 failed on purpose).");
          System.out.println("The simulation as Tugboat recorded it: " + api);
          System.out.println("Its models, with their last log lines: " + api + "/services");
          if (keepRunning) {
            System.out.println("The node keeps running (--keep-running): press Ctrl-C to stop it.");
            serveUntilStopped(embedded);
          }
          return 0;
        }
      }
      System.err.println("Demo timed out after " + timeoutSeconds + " s without AllModelsHaveTerminated");
      return 1;
    }
  }

  /**
   * Creates the long-lived service {@value #ECHO_SERVICE} (one replica of the simulated echo image,
   * one public port) over HTTP with {@code token}, waits until it runs and prints its URLs; on a
   * failure prints why and goes on, since the simulation does not depend on it.
   */
  private static void startEchoService(HttpClient http, int port, String token) {
    String api = "http://127.0.0.1:" + port + "/api/v1/services";
    try {
      String body = "{\"name\": \"" + ECHO_SERVICE + "\", \"image\": \"tugboat/echo-service:1\","
          + " \"publishedPorts\": [{\"port\": 8080, \"access\": \"public\", \"initialPath\": \"/hello?from=demo\"}],"
          + " \"replicas\": {\"min\": 1, \"max\": 1}, \"idleTimeout\": \"PT1H\"}";
      HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(api))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (created.statusCode() != 201) {
        System.out.println("(the echo service was not created: " + created.statusCode() + " " + created.body() + ")");
        return;
      }
      Instant deadline = Instant.now().plus(ECHO_START_TIMEOUT);
      JsonNode view = null;
      while (Instant.now().isBefore(deadline)) {
        view = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(api + "/" + ECHO_SERVICE))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
        if ("RUNNING".equals(view.path("status").asText())) {
          break;
        }
        Thread.sleep(100);
      }
      JsonNode p = view.path("ports").path(0);
      System.out.println("A long-lived service (" + ECHO_SERVICE + ", the echo image, " + view.path("status").asText()
          + ") behind the proxy: " + p.path("url").asText() + " (first page: " + p.path("initialUrl").asText()
          + "; WebSocket echo at " + p.path("url").asText().replaceFirst("^http", "ws") + "ws)");
    } catch (Exception e) {
      System.out.println("(the echo service could not be started: " + e + ")");
    }
  }

  /** One plain line after each message Tugboat sends, saying what it means. */
  private static void explain(Topic topic) {
    String meaning = "";
    if (topic instanceof Topic.ModelsReady) {
      meaning = "every model started and reported ReadyForProcessing: the simulation can begin";
    } else if (topic instanceof Topic.ModelHasTerminated t) {
      meaning = "model " + t.modelId() + " ended; its status and exit code are above";
    } else if (topic instanceof Topic.AllModelsHaveTerminated) {
      meaning = "every model has ended: the simulation is over";
    }
    if (!meaning.isEmpty()) {
      System.out.println("      (" + meaning + ")");
    }
  }

  /** Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM), which closes the node first. */
  private static void serveUntilStopped(AutoCloseable node) throws InterruptedException {
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
      } catch (Exception e) {
        System.err.println("while stopping the demo: " + e);
      }
      closed.countDown();
    }, "tugboat-demo-stop"));
    closed.await();
  }

  private static void printLastLogLines(HttpClient http, int port, String modelId) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
              "http://127.0.0.1:" + port + "/api/v1/simulations/" + SIMULATION_ID + "/services/" + modelId))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode service = new ObjectMapper().readTree(response.body());
      System.out.println("      model " + modelId + ": " + service.path("reason").asText("")
          + "; last log lines:");
      for (JsonNode line : service.path("lastLogLines")) {
        System.out.println("        | " + line.asText());
      }
    } catch (Exception e) {
      System.out.println("      (could not read the service of model " + modelId + ": " + e + ")");
    }
  }
}
