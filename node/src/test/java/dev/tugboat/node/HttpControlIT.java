package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The control plane on a production node with a real broker and simulated Kubernetes: a simulation
 * POSTed over HTTP runs and the SO hears ModelsReady over MQTT; DELETE ends it: every pod is
 * deleted, each model is reported once as FAILED with {@link ExitCodes#TERMINATED}, then
 * AllModelsHaveTerminated.
 */
class HttpControlIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SIMULATION = "sim-http";
  private static final List<String> MODELS = List.of("m0", "m1", "m2");

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aSimulationDeployedOverHttpRunsAndDeleteTerminatesIt() throws Exception {
    // The fake models run for minutes: only the DELETE can end them within the test.
    try (TestStack stack = TestStack.start(Duration.ofMinutes(10));
        // A first entity start on a busy machine can take longer than the default ask-timeout (503).
        TugboatNode node = stack.startNode(Map.of("tugboat.http.ask-timeout", "30s"));
        SimulatedSo so = stack.so()) {
      HttpResponse<String> created = send(stack, node, "POST", "/api/v1/simulations", deployBody(stack, "fake_model:1"));
      assertEquals(201, created.statusCode(), created.body());
      assertEquals("/api/v1/simulations/" + SIMULATION, created.headers().firstValue("Location").orElse(""));
      assertEquals(200, send(stack, node, "POST", "/api/v1/simulations", deployBody(stack, "fake_model:1"))
          .statusCode());
      assertEquals(409, send(stack, node, "POST", "/api/v1/simulations", deployBody(stack, "fake_model:2"))
          .statusCode());

      TestStack.receiveUntil(so, SIMULATION, l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.ModelsReady),
          Duration.ofSeconds(60));
      assertEquals(MODELS.size(), stack.kubernetes.storedPods());

      HttpResponse<String> terminating = send(stack, node, "DELETE", "/api/v1/simulations/" + SIMULATION,
          "{\"reason\":\"maintenance\"}");
      assertEquals(202, terminating.statusCode(), terminating.body());

      List<SimulatedSo.Received> got = TestStack.receiveUntil(so, SIMULATION,
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(60));
      Map<String, Lifecycle.ModelHasTerminated> terminated = new HashMap<>();
      for (SimulatedSo.Received r : got) {
        if (r.topic() instanceof Topic.ModelHasTerminated t) {
          assertNull(terminated.put(t.modelId(), (Lifecycle.ModelHasTerminated) r.message()),
              "one ModelHasTerminated per model");
        }
      }
      Lifecycle.ModelHasTerminated expected = Lifecycle.ModelHasTerminated.newBuilder()
          .setStatus(Lifecycle.TerminationStatus.FAILED).setExitCode(ExitCodes.TERMINATED).build();
      assertEquals(Map.of("m0", expected, "m1", expected, "m2", expected), terminated);
      assertTrue(got.get(got.size() - 1).topic() instanceof Topic.AllModelsHaveTerminated,
          "AllModelsHaveTerminated comes after every ModelHasTerminated");
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> stack.kubernetes.storedPods() == 0);
      assertTrue(TestStack.receiveDuring(so, SIMULATION, Duration.ofSeconds(2)).stream()
          .noneMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated
              || r.topic() instanceof Topic.ModelHasTerminated), "nothing is reported twice");

      HttpResponse<String> ended = send(stack, node, "DELETE", "/api/v1/simulations/" + SIMULATION, "");
      assertEquals(200, ended.statusCode(), ended.body());
      JsonNode view = JSON.readTree(ended.body());
      assertEquals("ENDED", view.get("phase").asText());
      assertEquals("terminated by tests: maintenance", view.get("reason").asText());
      assertEquals(404, send(stack, node, "DELETE", "/api/v1/simulations/nobody", "").statusCode());
    }
  }

  private static String deployBody(TestStack stack, String image) throws Exception {
    List<Map<String, Object>> models = MODELS.stream().<Map<String, Object>>map(m -> Map.of("id", m, "image", image,
        "env", Map.of("MQTT_HOST", "127.0.0.1", "MQTT_PORT", Integer.toString(stack.mqttPort),
            "SIMULATOR_ID", "204-asd", "SIMULATION_ID", SIMULATION, "MODEL_ID", m)))
        .toList();
    return JSON.writeValueAsString(Map.of("simulationId", SIMULATION, "simulatorId", "204-asd",
        "keepLogsHours", 1.0, "models", models));
  }

  private HttpResponse<String> send(TestStack stack, TugboatNode node, String method, String path, String body)
      throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Authorization", "Bearer " + stack.operatorToken).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body))
        .timeout(Duration.ofSeconds(70)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
