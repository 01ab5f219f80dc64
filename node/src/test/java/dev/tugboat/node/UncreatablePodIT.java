package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A model whose pod can never be created (the API server answers every create with 500 until
 * the gateway's retry deadline) is reported to the SO as FAILED with exit code 125, and its
 * reason is queryable over HTTP.
 */
class UncreatablePodIT {

  @Test
  void aPodThatCanNeverBeCreatedIsReportedFailedWithItsReason() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(1));
         TugboatNode node = stack.startNode(Map.of(
             "tugboat.kubernetes.retry.give-up-after", "2s",
             "tugboat.kubernetes.retry.max-backoff", "500ms"));
         SimulatedSo so = stack.so()) {
      stack.kubernetes.faults().errorRate(1.0);
      so.deploy("204-asd", "doomed", List.of(new ModelSpec("m0", "fake_model:latest", List.of(
          new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
          new EnvVar("SIMULATION_ID", "doomed"), new EnvVar("MODEL_ID", "m0")))), 24.0);

      List<SimulatedSo.Received> got = TestStack.receiveUntil(so, "doomed",
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(60));
      Lifecycle.ModelHasTerminated terminated = got.stream()
          .filter(r -> r.topic() instanceof Topic.ModelHasTerminated)
          .map(r -> (Lifecycle.ModelHasTerminated) r.message()).findFirst().orElseThrow();
      assertEquals(Lifecycle.TerminationStatus.FAILED, terminated.getStatus());
      assertEquals(ExitCodes.POD_NOT_CREATED, terminated.getExitCode());
      stack.kubernetes.faults().clear();

      JsonNode service = new ObjectMapper().readTree(
          stack.get(node, "/api/v1/simulations/doomed/services/m0").body());
      assertEquals("FAILED", service.path("phase").asText());
      assertTrue(service.path("reason").asText().contains("500"), service.toString());
      assertTrue(stack.kubernetes.client().pods().inNamespace("dots").list().getItems().isEmpty());
    }
  }
}
