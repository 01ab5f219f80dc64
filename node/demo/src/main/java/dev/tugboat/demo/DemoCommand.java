package dev.tugboat.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tugboat demo}: the DOTS quickstart on the embedded stack. A simulated SO deploys four
 * fake models in simulation sim02-abc of simulator 204-asd (EXIT_CODE unset, 1, 2, unset) and
 * prints every lifecycle message Tugboat publishes; exits 0 after AllModelsHaveTerminated.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the DOTS quickstart (4 fake models) on the embedded stack and print the lifecycle.")
final class DemoCommand implements Callable<Integer> {
  private static final String SIMULATOR_ID = Quickstart.SIMULATOR_ID;
  private static final String SIMULATION_ID = Quickstart.SIMULATION_ID;

  @Option(names = "--data-dir", description = "Data directory, emptied first (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of("data", "demo");

  @Option(names = "--run-seconds", description = "How long a fake model runs after ReadyForProcessing (default: ${DEFAULT-VALUE}).")
  int runSeconds = 10;

  @Option(names = "--timeout-seconds", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 180;

  @Mixin
  EmbeddedPorts ports = new EmbeddedPorts();

  @Override
  public Integer call() throws Exception {
    try (EmbeddedMode.EmbeddedNode embedded = EmbeddedRun.start(dataDir, ports.mqtt, ports.http, runSeconds);
         SimulatedSo so = SimulatedSo.connect(embedded.mqttHost(), ports.mqtt, "dots-so")) {
      TugboatNode node = embedded.node();
      List<ModelSpec> models = Quickstart.models(embedded.mqttHost(), ports.mqtt);
      System.out.println("SO  -> DeployModels simulation=" + SIMULATION_ID + " simulator=" + SIMULATOR_ID
          + " models=" + models.size() + " (EXIT_CODE unset, 1, 2, unset)");
      so.deploy(SIMULATOR_ID, SIMULATION_ID, models, 24.0);
      Instant deadline = Instant.now().plusSeconds(timeoutSeconds);
      HttpClient http = HttpClient.newHttpClient();
      while (Instant.now().isBefore(deadline)) {
        Optional<SimulatedSo.Received> next = so.next(Duration.ofSeconds(1));
        if (next.isEmpty()) {
          continue;
        }
        SimulatedSo.Received r = next.get();
        System.out.println("MSO -> " + r.describe());
        if (r.topic() instanceof Topic.ModelHasTerminated t
            && ((Lifecycle.ModelHasTerminated) r.message()).getStatus() == Lifecycle.TerminationStatus.FAILED) {
          printLastLogLines(http, node.httpPort(), t.modelId());
        }
        if (r.topic() instanceof Topic.AllModelsHaveTerminated) {
          System.out.println("Demo finished: all models have terminated. State: http://127.0.0.1:"
              + node.httpPort() + "/api/v1/simulations/" + SIMULATION_ID);
          return 0;
        }
      }
      System.err.println("Demo timed out after " + timeoutSeconds + " s without AllModelsHaveTerminated");
      return 1;
    }
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
