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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A service's history and log over HTTP on a production node, a simulation run by the SO in the
 * simulated Kubernetes: the history comes from the journal in order with its times and ends
 * TERMINATED with the exit code, then DELETED; the log comes from the pod while it runs and is the
 * tail stored at the end once the pod is deleted.
 */
class ServiceHistoryIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SIMULATION = "sim-history";
  /** Pods are deleted 1.8 s after their model ended. */
  private static final double KEEP_LOGS_HOURS = 0.0005;

  @Test
  void historyAndLogOfARunningThenDeletedModel() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(2));
        TugboatNode node = stack.startNode(Map.of());
        SimulatedSo so = stack.so()) {
      // "runner" reports ready and works 10 s, then exits 0 (its pod's log is read while it works);
      // "crasher" exits 2 right after ready.
      so.deploy("204-asd", SIMULATION, List.of(model(stack, "runner", 0, 10), model(stack, "crasher", 2, 0)),
          KEEP_LOGS_HOURS);
      String runner = "/api/v1/simulations/" + SIMULATION + "/services/runner";
      String crasher = "/api/v1/simulations/" + SIMULATION + "/services/crasher";

      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> types(stack, node, runner).contains("RUNNING"));
      // While it works the runner writes nothing: its whole log and its tail are read in that stretch.
      JsonNode live = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> json(stack, node, runner + "/logs"),
          log -> lines(log).stream().anyMatch(l -> l.startsWith("Working for ")));
      assertEquals("pod", live.get("source").asText(), live.toString());
      assertTrue(live.get("reason").isNull(), live.toString());
      assertTrue(lines(live).contains("Model booting..."), live.toString());
      JsonNode lastTwo = json(stack, node, runner + "/logs?tail=2");
      assertEquals("pod", lastTwo.get("source").asText());
      assertEquals(2, lines(lastTwo).size(), lastTwo.toString());
      assertEquals(lines(live).subList(lines(live).size() - 2, lines(live).size()), lines(lastTwo));

      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> types(stack, node, crasher).contains("DELETED"));
      JsonNode crashed = json(stack, node, crasher + "/events").get("items");
      assertInTimeOrder(crashed);
      List<String> crashTypes = types(crashed);
      assertEquals("REQUESTED", crashTypes.get(0), crashTypes.toString());
      assertEquals("DELETED", crashTypes.get(crashTypes.size() - 1), crashTypes.toString());
      assertTrue(crashTypes.contains("READY"), crashTypes.toString());
      JsonNode terminated = crashed.get(crashTypes.indexOf("TERMINATED"));
      assertEquals(2, terminated.get("exitCode").asInt(), terminated.toString());
      assertEquals("FAILED", terminated.get("status").asText());
      assertTrue(crashTypes.indexOf("CREATED") < crashTypes.indexOf("TERMINATED"), crashTypes.toString());
      JsonNode stored = json(stack, node, crasher + "/logs");
      assertEquals("stored", stored.get("source").asText(), stored.toString());
      assertEquals("the pod does not exist", stored.get("reason").asText());
      assertTrue(lines(stored).contains("Model booting..."), stored.toString());
      assertEquals(lines(stored).subList(lines(stored).size() - 1, lines(stored).size()),
          lines(json(stack, node, crasher + "/logs?tail=1")));

      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> types(stack, node, runner).contains("DELETED"));
      JsonNode ran = json(stack, node, runner + "/events").get("items");
      assertInTimeOrder(ran);
      List<String> ranTypes = types(ran);
      // READY is the simulation's step, placed by its time: the pod's creation may be journaled after it.
      assertEquals(List.of("REQUESTED", "CREATING", "CREATED", "RUNNING", "TERMINATED", "REPORTED", "DELETED"),
          ranTypes.stream().filter(t -> !t.equals("READY")).toList());
      assertEquals(1, ranTypes.stream().filter(t -> t.equals("READY")).count(), ranTypes.toString());
      assertTrue(ranTypes.indexOf("READY") < ranTypes.indexOf("TERMINATED"), ranTypes.toString());
      JsonNode succeeded = ran.get(ranTypes.indexOf("TERMINATED"));
      assertEquals(0, succeeded.get("exitCode").asInt(), succeeded.toString());
      assertEquals("SUCCEEDED", succeeded.get("status").asText());
      assertEquals(ran.get(0).get("podName").asText(), succeeded.get("podName").asText());
      JsonNode afterwards = json(stack, node, runner + "/logs");
      assertEquals("stored", afterwards.get("source").asText(), afterwards.toString());
      assertEquals(List.of(), lines(afterwards), "a model that exited 0 keeps no tail");

      assertEquals(404, stack.get(node, "/api/v1/simulations/" + SIMULATION + "/services/nobody/events").statusCode());
      assertEquals(400, stack.get(node, runner + "/logs?tail=0").statusCode());
    }
  }

  /** The fake model: EXIT_CODE 2 exits right after ReadyForProcessing, 0 after working {@code runSeconds}. */
  private static ModelSpec model(TestStack stack, String modelId, int exitCode, int runSeconds) {
    return new ModelSpec(modelId, "fake_model:latest", List.of(
        new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
        new EnvVar("SIMULATOR_ID", "204-asd"), new EnvVar("SIMULATION_ID", SIMULATION),
        new EnvVar("MODEL_ID", modelId), new EnvVar("EXIT_CODE", Integer.toString(exitCode)),
        new EnvVar("FAKE_MODEL_RUN_SECONDS", Integer.toString(runSeconds))));
  }

  private static void assertInTimeOrder(JsonNode items) {
    Instant previous = Instant.MIN;
    for (JsonNode item : items) {
      Instant at = Instant.parse(item.get("at").asText());
      assertFalse(at.isBefore(previous), "out of time order: " + items);
      previous = at;
    }
  }

  private static List<String> types(TestStack stack, TugboatNode node, String service) throws Exception {
    var response = stack.get(node, service + "/events");
    return response.statusCode() == 200 ? types(JSON.readTree(response.body()).get("items")) : List.of();
  }

  private static List<String> types(JsonNode items) {
    List<String> types = new ArrayList<>();
    items.forEach(i -> types.add(i.get("type").asText()));
    return types;
  }

  private static List<String> lines(JsonNode log) {
    List<String> lines = new ArrayList<>();
    log.get("lines").forEach(l -> lines.add(l.asText()));
    return lines;
  }

  private static JsonNode json(TestStack stack, TugboatNode node, String path) throws Exception {
    var response = stack.get(node, path);
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return JSON.readTree(response.body());
  }
}
