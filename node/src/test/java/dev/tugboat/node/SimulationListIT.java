package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * GET /api/v1/simulations on a production node: two simulations deployed by the SO over MQTT are
 * listed newest first, with every model counted by its outcome once they ended, filtered and paged;
 * the simulation's own view has one row per model with its phase and times.
 */
class SimulationListIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void deployedSimulationsAreListedNewestFirstWithTheirCounts() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(2));
        TugboatNode node = stack.startNode(Map.of());
        SimulatedSo so = stack.so()) {
      // sim-list-a: m0 and m2 exit 0, m1 exits 2 right after reporting ready; sim-list-b: m0 exits 0.
      so.deploy("204-asd", "sim-list-a", List.of(model(stack, "sim-list-a", "m0", 0), model(stack, "sim-list-a", "m1", 2),
          model(stack, "sim-list-a", "m2", 0)), 1.0);
      // The second deploy after the first was journaled, so it is the newer one.
      Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> stack.get(node, "/api/v1/simulations/sim-list-a").statusCode() == 200);
      so.deploy("204-asd", "sim-list-b", List.of(model(stack, "sim-list-b", "m0", 0)), 1.0);

      Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> {
        JsonNode items = page(stack, node, "/api/v1/simulations").get("items");
        return items.size() == 2 && "ENDED".equals(items.get(0).get("phase").asText())
            && "ENDED".equals(items.get(1).get("phase").asText());
      });
      JsonNode list = page(stack, node, "/api/v1/simulations");
      assertTrue(list.get("next").isNull());
      JsonNode newest = list.get("items").get(0);
      JsonNode oldest = list.get("items").get(1);
      assertEquals("sim-list-b", newest.get("simulationId").asText());
      assertEquals("sim-list-a", oldest.get("simulationId").asText());
      assertEquals("204-asd", oldest.get("simulatorId").asText());
      assertEquals(Map.of("REQUESTED", 0, "STARTING", 0, "READY", 0, "SUCCEEDED", 2, "FAILED", 1),
          JSON.convertValue(oldest.get("models"), Map.class));
      assertEquals(Map.of("REQUESTED", 0, "STARTING", 0, "READY", 0, "SUCCEEDED", 1, "FAILED", 0),
          JSON.convertValue(newest.get("models"), Map.class));
      assertFalse(oldest.get("deployedAt").isNull());
      assertFalse(oldest.get("endedAt").isNull());

      JsonNode first = page(stack, node, "/api/v1/simulations?limit=1&phase=ENDED&simulator=204-asd");
      assertEquals(List.of("sim-list-b"), ids(first));
      JsonNode second = page(stack, node, "/api/v1/simulations?limit=1&phase=ENDED&simulator=204-asd&after="
          + first.get("next").asText());
      assertEquals(List.of("sim-list-a"), ids(second));
      assertTrue(second.get("next").isNull());
      assertEquals(List.of(), ids(page(stack, node, "/api/v1/simulations?phase=DEPLOYING")));
      assertEquals(400, stack.get(node, "/api/v1/simulations?limit=501").statusCode());

      JsonNode models = JSON.readTree(stack.get(node, "/api/v1/simulations/sim-list-a").body()).get("models");
      assertEquals(3, models.size());
      for (JsonNode model : models) {
        String phase = model.get("phase").asText();
        assertTrue(phase.equals("SUCCEEDED") || phase.equals("FAILED"), model.toString());
        assertFalse(model.get("endedAt").isNull(), model.toString());
        assertFalse(model.get("podName").isNull(), model.toString());
        assertFalse(model.get("acceptedAt").isNull(), model.toString());
        assertFalse(model.get("readyAt").isNull(), model.toString());
      }
      assertEquals("FAILED", models.get(1).get("phase").asText());
      assertEquals(2, models.get(1).get("exitCode").asInt());
    }
  }

  /** A fake model that reports ready, then exits 0 after the run time, or 2 at once ({@code exitCode} 2). */
  private static ModelSpec model(TestStack stack, String simulationId, String modelId, int exitCode) {
    return new ModelSpec(modelId, "fake_model:latest", List.of(
        new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
        new EnvVar("SIMULATOR_ID", "204-asd"), new EnvVar("SIMULATION_ID", simulationId),
        new EnvVar("MODEL_ID", modelId), new EnvVar("EXIT_CODE", Integer.toString(exitCode))));
  }

  private static JsonNode page(TestStack stack, TugboatNode node, String path) throws Exception {
    var response = stack.get(node, path);
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("items").forEach(item -> ids.add(item.get("simulationId").asText()));
    return ids;
  }
}
