package dev.tugboat.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A node stopped in the middle of a simulation and started again on the same journal: the
 * simulation continues, running pods are adopted (same pods, none deleted or created twice),
 * every notification still arrives, and pods are deleted after their retention, not before.
 */
class RestartIT {
  private static final double KEEP_LOGS_HOURS = 8.0 / 3600; // 8 seconds

  @Test
  void simulationSurvivesANodeRestart() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(8)); SimulatedSo so = stack.so()) {
      List<ModelSpec> models = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        models.add(new ModelSpec("m" + i, "fake_model:latest", List.of(
            new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
            new EnvVar("SIMULATOR_ID", "204-asd"), new EnvVar("SIMULATION_ID", "restart"),
            new EnvVar("MODEL_ID", "m" + i))));
      }
      Set<String> uidsBefore;
      try (TugboatNode first = stack.startNode(Map.of())) {
        so.deploy("204-asd", "restart", models, KEEP_LOGS_HOURS);
        TestStack.receiveUntil(so, "restart", l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.ModelsReady),
            Duration.ofSeconds(60));
        uidsBefore = podUids(stack);
        assertEquals(3, uidsBefore.size());
      }
      assertEquals(uidsBefore, podUids(stack), "stopping the node deletes no pod");

      try (TugboatNode second = stack.startNode(Map.of())) {
        List<SimulatedSo.Received> got = TestStack.receiveUntil(so, "restart",
            l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(60));
        long terminations = got.stream().filter(r -> r.topic() instanceof Topic.ModelHasTerminated).count();
        assertEquals(3, terminations, got.stream().map(SimulatedSo.Received::describe).toList().toString());
        for (SimulatedSo.Received r : got) {
          if (r.message() instanceof Lifecycle.ModelHasTerminated m) {
            assertEquals(Lifecycle.TerminationStatus.SUCCESSFULL, m.getStatus());
          }
        }
        assertEquals(uidsBefore, podUids(stack), "pods are adopted, kept for their retention, never re-created");
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250))
            .until(() -> podUids(stack).isEmpty());
        assertTrue(so.next(Duration.ofSeconds(1)).isEmpty(), "no notification is repeated");
      }
    }
  }

  private static Set<String> podUids(TestStack stack) {
    return stack.kubernetes.client().pods().inNamespace("dots").list().getItems().stream()
        .map(Pod::getMetadata).map(m -> m.getName() + "/" + m.getUid()).collect(Collectors.toSet());
  }
}
