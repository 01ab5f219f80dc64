package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A model whose image the (simulated) cluster cannot pull ends FAILED with exit code 200 once
 * image-pull-grace has passed, its pod is deleted, and the simulation ends with
 * AllModelsHaveTerminated: real broker, simulated API server and kubelet, H2 journal.
 */
class UnknownImageIT {
  private static final String IMAGE = "registry.example/no-such-model:1";
  private static TestStack stack;
  private static TugboatNode node;

  @BeforeAll
  static void start() throws Exception {
    stack = TestStack.start(Duration.ofSeconds(1));
    node = stack.startNode(Map.of("tugboat.entities.image-pull-grace", "2s", "tugboat.entities.service-tick", "1s"));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    stack.close();
  }

  @Test
  void aModelWithAnImageNoRegistryHasEndsFailedWith200() throws Exception {
    String simulation = "unknown-image";
    try (SimulatedSo so = stack.so()) {
      long start = System.nanoTime();
      so.deploy("204-asd", simulation, List.of(
          new ModelSpec("ok", "fake_model:latest", List.of(
              new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
              new EnvVar("SIMULATOR_ID", "204-asd"), new EnvVar("SIMULATION_ID", simulation),
              new EnvVar("MODEL_ID", "ok"))),
          new ModelSpec("typo", IMAGE, List.of())), 0);
      List<SimulatedSo.Received> got = TestStack.receiveUntil(so, simulation,
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(40));
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      Map<String, Lifecycle.ModelHasTerminated> terminated = new LinkedHashMap<>();
      for (SimulatedSo.Received r : got) {
        if (r.topic() instanceof Topic.ModelHasTerminated t) {
          terminated.put(t.modelId(), (Lifecycle.ModelHasTerminated) r.message());
        }
      }
      assertTrue(got.get(got.size() - 1).topic() instanceof Topic.AllModelsHaveTerminated, got::toString);
      assertEquals(Lifecycle.ModelHasTerminated.newBuilder().setStatus(Lifecycle.TerminationStatus.FAILED)
          .setExitCode(ExitCodes.IMAGE_NOT_PULLED).build(), terminated.get("typo"));
      assertEquals(0, terminated.get("ok").getExitCode());
      assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "the simulation took " + took);

      JsonNode typo = new ObjectMapper().readTree(
          stack.get(node, "/api/v1/simulations/" + simulation + "/services/typo").body());
      assertEquals(200, typo.path("exitCode").asInt(), typo.toString());
      String reason = typo.path("reason").asText();
      assertTrue(reason.startsWith("image " + IMAGE + " could not be pulled: ErrImagePull: Failed to pull image"),
          reason);
      String pod = PodNames.podName("204-asd", simulation, "typo");
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(
          () -> stack.kubernetes.client().pods().inNamespace("dots").withName(pod).get() == null);
    }
  }
}
