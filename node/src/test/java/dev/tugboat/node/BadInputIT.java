package dev.tugboat.node;

import static org.awaitility.Awaitility.await;
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
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input end to end: clear errors, nothing persisted for garbage, other simulations unaffected. */
class BadInputIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestStack stack;
  private static TugboatNode node;

  @BeforeAll
  static void start() throws Exception {
    stack = TestStack.start(Duration.ofSeconds(1));
    node = stack.startNode(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    stack.close();
  }

  @Test
  void garbageAndUnknownIdsAreDroppedAndAGoodSimulationStillRuns() throws Exception {
    try (SimulatedSo so = stack.so()) {
      so.publish("/lifecycle/dots-so/mso/garbage/DeployModels", new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
      so.publish("/lifecycle/model/mso/nobody/m0/ReadyForProcessing", new byte[0]);
      so.publish("/lifecycle/other-so/mso/foreign/DeployModels", new byte[0]);
      so.deploy("204-asd", "good", List.of(model("good", "m0")), 24.0);

      List<SimulatedSo.Received> got = TestStack.receiveUntil(so, "good",
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(60));
      assertTrue(got.stream().allMatch(r -> r.topic().format().contains("/good/")), got.toString());
      assertEquals(404, stack.get(node, "/api/v1/simulations/garbage").statusCode());
      assertEquals(404, stack.get(node, "/api/v1/simulations/nobody").statusCode());
      assertEquals(404, stack.get(node, "/api/v1/simulations/foreign").statusCode());
      assertEquals(200, stack.get(node, "/api/v1/simulations/good").statusCode());
    }
  }

  @Test
  void aDeployModelsNamingNoModelIsDroppedAndTheSoIsToldNothing() throws Exception {
    // An empty payload decodes as a DeployModels with no model, so such a message is
    // indistinguishable from garbage: it is dropped like garbage, and nothing is stored for it.
    String noModels = "tugboat_mqtt_inbound_dropped_total";
    double droppedBefore = stack.metric(node, noModels, "reason=\"no-models\"");
    try (SimulatedSo so = stack.so()) {
      so.deploy("204-asd", "empty", List.of(), 24.0);
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> stack.metric(node, noModels, "reason=\"no-models\"") > droppedBefore);
      assertEquals(404, stack.get(node, "/api/v1/simulations/empty").statusCode());
      JournalRows journal = new JournalRows(node.system().settings().config());
      assertTrue(!journal.simulationIds().contains("empty"), "nothing is journaled for it");
      assertTrue(journal.persistenceIds("event_journal").stream().noneMatch(id -> id.startsWith("Service|empty/")),
          "no service is journaled for it");
      assertNothingFor(so, "empty", Duration.ofSeconds(3));

      so.deploy("204-asd", "after-empty", List.of(model("after-empty", "m0")), 24.0);
      List<SimulatedSo.Received> got = TestStack.receiveUntil(so, "after-empty",
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(60));
      assertEquals(1, got.stream().filter(r -> r.topic() instanceof Topic.ModelHasTerminated).count(), got.toString());
    }
  }

  /** Fails if the SO receives anything for the simulation within {@code window}. */
  private static void assertNothingFor(SimulatedSo so, String simulationId, Duration window) throws Exception {
    long deadline = System.nanoTime() + window.toNanos();
    for (long left = window.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      Optional<SimulatedSo.Received> r = so.next(Duration.ofNanos(left));
      assertTrue(r.isEmpty() || !r.get().topic().format().contains("/" + simulationId + "/"),
          () -> "the SO was told about " + simulationId + ": " + r.get().describe());
    }
  }

  @Test
  void aModelIdTheBrokerCannotCarryInATopicStallsNoNotification() throws Exception {
    // HiveMQ CE closes the connection of a client that publishes a topic holding U+FDC0..U+FDCF
    // (Arabic ligatures, valid letters), so a model id holding one would cut Tugboat's publisher
    // off at its ModelHasTerminated, again at every resend, and stall the notifications queued
    // behind it. Such an id must be refused with the request.
    try (SimulatedSo so = stack.so()) {
      so.deploy("204-asd", "ligature", List.of(
          new ModelSpec("m0", "busybox:latest", List.of()), new ModelSpec("m\uFDC0", "busybox:latest", List.of())), 24.0);
      List<SimulatedSo.Received> got = TestStack.receiveUntil(so, "ligature",
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(30));
      assertTrue(got.stream().noneMatch(r -> r.topic().format().contains("\uFDC0")), got.toString());
      JsonNode sim = JSON.readTree(stack.get(node, "/api/v1/simulations/ligature").body());
      assertEquals("REJECTED", sim.path("phase").asText(), sim.toString());

      so.deploy("204-asd", "after-ligature", List.of(model("after-ligature", "m0")), 24.0);
      TestStack.receiveUntil(so, "after-ligature",
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(60));
    }
  }

  @Test
  void duplicateModelIdsAreRejectedWithTheDocumentedExitCode() throws Exception {
    try (SimulatedSo so = stack.so()) {
      so.deploy("204-asd", "dups", List.of(model("dups", "a"), model("dups", "a"), model("dups", "b")), 24.0);
      List<SimulatedSo.Received> got = TestStack.receiveUntil(so, "dups",
          l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(30));
      List<SimulatedSo.Received> terminations =
          got.stream().filter(r -> r.topic() instanceof Topic.ModelHasTerminated).toList();
      assertEquals(2, terminations.size(), got.toString());
      for (SimulatedSo.Received r : terminations) {
        Lifecycle.ModelHasTerminated m = (Lifecycle.ModelHasTerminated) r.message();
        assertEquals(Lifecycle.TerminationStatus.FAILED, m.getStatus());
        assertEquals(ExitCodes.INVALID_CONFIGURATION, m.getExitCode());
      }
      assertTrue(stack.kubernetes.client().pods().inNamespace("dots").list().getItems().stream()
          .noneMatch(p -> p.getMetadata().getName().contains("dups")), "no pod for a rejected simulation");
      JsonNode sim = JSON.readTree(stack.get(node, "/api/v1/simulations/dups").body());
      assertTrue(sim.path("reason").asText().contains("duplicate"), sim.toString());
    }
  }

  @Test
  void idsThatCannotBeUsedAreRejectedOverHttpWithoutWakingAnEntity() throws Exception {
    assertEquals(400, stack.get(node, "/api/v1/simulations/a%20b").statusCode());
  }

  static ModelSpec model(String simulationId, String modelId) {
    return new ModelSpec(modelId, "fake_model:latest", List.of(
        new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
        new EnvVar("SIMULATOR_ID", "204-asd"), new EnvVar("SIMULATION_ID", simulationId),
        new EnvVar("MODEL_ID", modelId)));
  }
}
