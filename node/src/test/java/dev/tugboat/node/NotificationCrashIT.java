package dev.tugboat.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A node that journaled notifications but could not publish them (its broker went away before
 * any PUBACK) is stopped; a new node on the same database publishes every one of them, once, in
 * order: the notification projection resumes from its stored offset.
 */
class NotificationCrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void notificationsJournaledButNeverAcknowledgedArriveAfterARestart() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(6))) {
      List<ModelSpec> models = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        models.add(new ModelSpec("m" + i, "fake_model:latest", List.of(
            new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
            new EnvVar("SIMULATOR_ID", "204-asd"), new EnvVar("SIMULATION_ID", "crash"),
            new EnvVar("MODEL_ID", "m" + i))));
      }
      try (TugboatNode first = stack.startNode(Map.of()); SimulatedSo so = stack.so()) {
        so.deploy("204-asd", "crash", models, 0);
        TestStack.receiveUntil(so, "crash", l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.ModelsReady),
            Duration.ofSeconds(60));
        // The models end while the broker is gone: their notifications are journaled, none is acknowledged.
        stack.stopBroker();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
          JsonNode view = JSON.readTree(stack.get(first, "/api/v1/simulations/crash").body());
          return "ENDED".equals(view.path("phase").asText()) && view.path("pendingNotifications").asInt() == 4;
        });
      }

      stack.startBroker();
      try (SimulatedSo so = stack.so(); TugboatNode second = stack.startNode(Map.of())) {
        List<SimulatedSo.Received> got = TestStack.receiveUntil(so, "crash",
            l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(60));
        String described = got.stream().map(SimulatedSo.Received::describe).toList().toString();
        List<String> terminated = got.stream().filter(r -> r.topic() instanceof Topic.ModelHasTerminated)
            .map(r -> ((Topic.ModelHasTerminated) r.topic()).modelId()).toList();
        assertEquals(3, terminated.size(), described);
        assertEquals(Set.of("m0", "m1", "m2"), Set.copyOf(terminated), described);
        assertTrue(got.get(got.size() - 1).topic() instanceof Topic.AllModelsHaveTerminated, described);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
            JSON.readTree(stack.get(second, "/api/v1/simulations/crash").body())
                .path("pendingNotifications").asInt() == 0);
        assertTrue(so.next(Duration.ofSeconds(1)).isEmpty(), "nothing is published twice");
      }
    }
  }
}
