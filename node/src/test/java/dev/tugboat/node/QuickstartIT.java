package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.mqtt.sim.Quickstart;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The DOTS quickstart end to end: real broker, mock API server, simulated kubelet, H2 journal. */
class QuickstartIT {
  private static TestStack stack;
  private static TugboatNode node;

  @BeforeAll
  static void start() throws Exception {
    stack = TestStack.start(Duration.ofSeconds(3));
    node = stack.startNode(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    stack.close();
  }

  @Test
  void quickstartReportsEveryTerminationThenAllModelsHaveTerminatedOnce() throws Exception {
    try (SimulatedSo so = stack.so()) {
      so.deploy("204-asd", "sim02-abc", Quickstart.models("127.0.0.1", stack.mqttPort), 24.0);
      List<SimulatedSo.Received> got = TestStack.receiveUntil(so, "sim02-abc",
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(90));

      Map<String, Lifecycle.ModelHasTerminated> terminated = new LinkedHashMap<>();
      for (SimulatedSo.Received r : got) {
        if (r.topic() instanceof Topic.ModelHasTerminated t) {
          assertEquals("sim02-abc", t.simulationId());
          assertEquals(null, terminated.put(t.modelId(), (Lifecycle.ModelHasTerminated) r.message()),
              "one ModelHasTerminated per model");
        }
      }
      assertEquals(expected(Lifecycle.TerminationStatus.SUCCESSFULL, 0), terminated.get("0"));
      assertEquals(expected(Lifecycle.TerminationStatus.FAILED, 1), terminated.get("1"));
      assertEquals(expected(Lifecycle.TerminationStatus.FAILED, 2), terminated.get("2"));
      assertEquals(expected(Lifecycle.TerminationStatus.SUCCESSFULL, 0), terminated.get("3"));
      assertEquals(4, terminated.size());
      assertTrue(got.get(got.size() - 1).topic() instanceof Topic.AllModelsHaveTerminated,
          "AllModelsHaveTerminated comes after every ModelHasTerminated");
      assertTrue(got.stream().noneMatch(r -> r.topic() instanceof Topic.ModelsReady),
          "model 1 exits before ReadyForProcessing, so ModelsReady is never sent");
      assertTrue(so.next(Duration.ofSeconds(2)).isEmpty(), "nothing is published twice");

      JsonNode crashed = new ObjectMapper().readTree(
          stack.get(node, "/api/v1/simulations/sim02-abc/services/1").body());
      assertEquals("TERMINATED", crashed.path("phase").asText());
      assertEquals(1, crashed.path("exitCode").asInt());
      assertTrue(crashed.path("lastLogLines").toString().contains("Model booting"), crashed.toString());
      JsonNode simulation = new ObjectMapper().readTree(stack.get(node, "/api/v1/simulations/sim02-abc").body());
      assertEquals("ENDED", simulation.path("phase").asText());
    }
  }

  @Test
  void whenAllModelsSucceedModelsReadyComesOnceBeforeTheTerminations() throws Exception {
    try (SimulatedSo so = stack.so()) {
      List<ModelSpec> models = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        models.add(new ModelSpec("m" + i, "fake_model:latest", List.of(
            new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
            new EnvVar("SIMULATOR_ID", "204-asd"), new EnvVar("SIMULATION_ID", "all-ok"),
            new EnvVar("MODEL_ID", "m" + i))));
      }
      so.deploy("204-asd", "all-ok", models, 24.0);
      List<SimulatedSo.Received> got = TestStack.receiveUntil(so, "all-ok",
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(90));
      List<String> kinds = got.stream().map(r -> r.topic().getClass().getSimpleName()).toList();
      assertEquals(List.of("ModelsReady", "ModelHasTerminated", "ModelHasTerminated", "ModelHasTerminated",
          "AllModelsHaveTerminated"), kinds);
      for (SimulatedSo.Received r : got) {
        if (r.message() instanceof Lifecycle.ModelHasTerminated m) {
          assertEquals(expected(Lifecycle.TerminationStatus.SUCCESSFULL, 0), m);
        }
      }
    }
  }

  private static Lifecycle.ModelHasTerminated expected(Lifecycle.TerminationStatus status, int exitCode) {
    return Lifecycle.ModelHasTerminated.newBuilder().setStatus(status).setExitCode(exitCode).build();
  }
}
