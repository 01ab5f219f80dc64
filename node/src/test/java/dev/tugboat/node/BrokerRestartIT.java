package dev.tugboat.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.mqtt.sim.EmbeddedBroker;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker stops in the middle of a 50-model simulation, while terminations are flowing, and
 * comes back on the same port and data directory (sessions on disk). Models end and others boot
 * while it is down: their ReadyForProcessing and the SO's DeployModels wait in their clients,
 * the terminations wait in the simulation's outbox. Afterwards every message has arrived, once,
 * except the few that were unacknowledged when the connections dropped (docs/protocol.md,
 * "Broker restart"), and nothing is left behind.
 */
class BrokerRestartIT {
  private static final Logger log = LoggerFactory.getLogger(BrokerRestartIT.class);
  private static final String SIMULATOR = "204-asd";
  private static final String SIMULATION = "broker-restart";
  private static final String DEPLOYED_DURING_OUTAGE = "deployed-while-down";
  private static final int EARLY_MODELS = 40;
  private static final int LATE_MODELS = 10;
  private static final double LATE_RUN_SECONDS = 8.0;
  // Pods stay 10 s after their model ended: long enough to see, at the stop, every model ended so far.
  private static final double KEEP_LOGS_HOURS = 10.0 / 3600;
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @Test
  void aBrokerRestartDuringASimulationLosesNoInboundOrOutboundMessage() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(1), EmbeddedBroker.Persistence.FILE);
        TugboatNode node = stack.startNode(Map.of("tugboat.mqtt.reconnect-max-delay", "1s"));
        SimulatedSo so = stack.so()) {
      // Early models are ready at once and end one after another over ~9 s; late models boot for
      // 12 s, so they send ReadyForProcessing while the broker is down (it stops after ~2.5 s and
      // stays down until every late model has tried). They run 8 s after that: their ends reach
      // Tugboat through Kubernetes, not the broker, and must come after their ReadyForProcessing
      // (redelivered once the broker is back), or the simulation ends before every model was ready.
      List<ModelSpec> models = new ArrayList<>();
      for (int i = 0; i < EARLY_MODELS; i++) {
        models.add(model(stack, SIMULATION, modelId(i), 0, 1.0 + 0.2 * i));
      }
      for (int i = EARLY_MODELS; i < EARLY_MODELS + LATE_MODELS; i++) {
        models.add(model(stack, SIMULATION, modelId(i), 12, LATE_RUN_SECONDS));
      }
      Set<String> modelIds = models.stream().map(ModelSpec::modelId).collect(Collectors.toCollection(TreeSet::new));
      so.deploy(SIMULATOR, SIMULATION, models, KEEP_LOGS_HOURS);

      // Stop the broker while terminations are flowing: some have reached the SO, 8 early models
      // have ended (watched in Kubernetes, not through Tugboat, so a slow machine cannot make the
      // stop come late), 32 are still running.
      List<SimulatedSo.Received> got = new ArrayList<>();
      Map<String, Instant> ended = new TreeMap<>();
      receive(so, got, l -> count(l, SIMULATION, Topic.ModelHasTerminated.class) >= 1
          && recordEnded(stack, ended) >= 8, DEADLINE);

      stack.stopBroker();
      // The broker dropped every connection at once when it began to stop; the SO saw when.
      Instant dropped = so.connectionLostAt().orElseThrow();
      recordEnded(stack, ended);
      Set<String> endedBeforeStop = ended.entrySet().stream().filter(e -> e.getValue().isBefore(dropped))
          .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));

      // The SO deploys a second simulation while the broker is down: its client buffers it.
      CompletableFuture<Void> deployWhileDown = CompletableFuture.runAsync(() -> {
        try {
          so.deploy(SIMULATOR, DEPLOYED_DURING_OUTAGE, List.of(
              model(stack, DEPLOYED_DURING_OUTAGE, "a", 0, 1.0), model(stack, DEPLOYED_DURING_OUTAGE, "b", 0, 1.0)),
              KEEP_LOGS_HOURS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      // While it is down: more models end (their notifications wait in the outbox) and every late
      // model tries to send ReadyForProcessing.
      await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() ->
          recordEnded(stack, ended) >= endedBeforeStop.size() + 3
              && ended.values().stream().filter(t -> t.isAfter(dropped)).count() >= 3
              && IntStream.range(EARLY_MODELS, EARLY_MODELS + LATE_MODELS)
                  .allMatch(i -> logged(stack, podName(SIMULATION, modelId(i)), "connection to the broker is down")));
      JsonNode duringOutage = simulation(stack, node, SIMULATION);
      int queued = duringOutage.path("pendingNotifications").asInt();
      assertTrue(queued > 0, "terminations queued in the outbox: " + duringOutage);
      assertTrue(!node.isReady() && !deployWhileDown.isDone(), "nothing reaches a broker that is down");

      stack.startBroker();
      deployWhileDown.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      receive(so, got, l -> count(l, SIMULATION, Topic.AllModelsHaveTerminated.class) >= 1
          && count(l, DEPLOYED_DURING_OUTAGE, Topic.AllModelsHaveTerminated.class) >= 1, DEADLINE);
      // Anything still on its way (a late duplicate, a second AllModelsHaveTerminated) arrives
      // within a few simulation ticks; collect it too.
      receive(so, got, l -> false, Duration.ofSeconds(4));

      log.info("broker outage: {} of {} models had ended when it began, {} notifications waited in the outbox; "
          + "the SO got {} messages for {}", endedBeforeStop.size(), modelIds.size(), queued,
          got.stream().filter(r -> simulationOf(r.topic()).equals(SIMULATION)).count(), SIMULATION);
      assertDeliveredOnce(got, SIMULATION, modelIds, endedBeforeStop);
      assertDeliveredOnce(got, DEPLOYED_DURING_OUTAGE, Set.of("a", "b"), Set.of());
      assertTrue(so.reconnects() >= 1, "the SO reconnected");
      IntStream.range(EARLY_MODELS, EARLY_MODELS + LATE_MODELS).forEach(i -> assertTrue(
          logged(stack, podName(SIMULATION, modelId(i)), "Sent ReadyForProcessing"), "late model " + i + " got through"));

      // Nothing is stuck: the node is ready again, both simulations ended with empty outboxes, the
      // publisher holds nothing, and every pod was deleted after its retention.
      await().atMost(Duration.ofSeconds(10)).until(node::isReady);
      assertEquals(200, stack.get(node, "/health/ready").statusCode());
      for (String simulation : List.of(SIMULATION, DEPLOYED_DURING_OUTAGE)) {
        JsonNode view = simulation(stack, node, simulation);
        assertEquals("ENDED", view.path("phase").asText(), view.toString());
        assertEquals(0, view.path("pendingNotifications").asInt(), view.toString());
        assertTrue(view.path("modelsReadySent").asBoolean() && view.path("allModelsHaveTerminatedSent").asBoolean(),
            view.toString());
      }
      String metrics = stack.get(node, "/metrics").body();
      assertEquals(0.0, gauge(metrics, "tugboat_mqtt_outbound_in_flight"), "publisher in flight");
      assertEquals(0.0, gauge(metrics, "tugboat_mqtt_outbound_queued"), "publisher queue");
      assertEquals(1.0, gauge(metrics, "tugboat_mqtt_connected"), "bridge connected");
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
          .until(() -> stack.kubernetes.client().pods().inNamespace("dots").list().getItems().isEmpty());
    }
  }

  /**
   * ModelsReady once, one SUCCESSFULL ModelHasTerminated per model, AllModelsHaveTerminated once
   * and after every model's first ModelHasTerminated. A ModelHasTerminated may repeat only for a
   * model in {@code mayRepeat}, the models that ended before the connections dropped (only their
   * notifications can have been unacknowledged then), and at most twice (docs/protocol.md: once
   * re-sent by the outbox, once redelivered by the broker to the SO).
   */
  private static void assertDeliveredOnce(List<SimulatedSo.Received> all, String simulationId, Set<String> modelIds,
      Set<String> mayRepeat) {
    List<SimulatedSo.Received> got = all.stream().filter(r -> simulationOf(r.topic()).equals(simulationId)).toList();
    String trace = got.stream().map(SimulatedSo.Received::describe).toList().toString();
    assertEquals(1, count(got, simulationId, Topic.ModelsReady.class), "ModelsReady once: " + trace);
    assertEquals(1, count(got, simulationId, Topic.AllModelsHaveTerminated.class), "AllModelsHaveTerminated once: " + trace);
    Map<String, Integer> copies = new TreeMap<>();
    for (SimulatedSo.Received r : got) {
      if (r.topic() instanceof Topic.ModelHasTerminated t) {
        copies.merge(t.modelId(), 1, Integer::sum);
        Lifecycle.ModelHasTerminated m = (Lifecycle.ModelHasTerminated) r.message();
        assertEquals(Lifecycle.TerminationStatus.SUCCESSFULL, m.getStatus(), t.modelId());
        assertEquals(0, m.getExitCode(), t.modelId());
      }
    }
    assertEquals(modelIds, copies.keySet(), "a ModelHasTerminated for every model: " + trace);
    Set<String> repeated = copies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
        .collect(Collectors.toCollection(TreeSet::new));
    log.info("{}: ModelHasTerminated repeated for {}", simulationId, repeated);
    assertTrue(copies.values().stream().allMatch(n -> n <= 3) && mayRepeat.containsAll(repeated),
        "duplicates beyond the bound: " + copies + "; only models ended before the stop may repeat: " + mayRepeat);
    int allEnded = indexOf(got, Topic.AllModelsHaveTerminated.class);
    for (String modelId : modelIds) {
      int first = 0;
      while (!(got.get(first).topic() instanceof Topic.ModelHasTerminated t && t.modelId().equals(modelId))) {
        first++;
      }
      assertTrue(first < allEnded, "AllModelsHaveTerminated after model " + modelId + "'s ModelHasTerminated: " + trace);
    }
  }

  private static ModelSpec model(TestStack stack, String simulationId, String modelId, double bootSeconds,
      double runSeconds) {
    return new ModelSpec(modelId, "fake_model:latest", List.of(
        new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
        new EnvVar("SIMULATOR_ID", SIMULATOR), new EnvVar("SIMULATION_ID", simulationId),
        new EnvVar("MODEL_ID", modelId), new EnvVar("FAKE_MODEL_BOOT_SECONDS", Double.toString(bootSeconds)),
        new EnvVar("FAKE_MODEL_RUN_SECONDS", Double.toString(runSeconds))));
  }

  private static String modelId(int i) {
    return String.format("m%02d", i);
  }

  private static String podName(String simulationId, String modelId) {
    return (SIMULATOR + "-" + simulationId + "-" + modelId).toLowerCase();
  }

  private static void receive(SimulatedSo so, List<SimulatedSo.Received> got,
      Predicate<List<SimulatedSo.Received>> done, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(got)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        if (timeout.equals(DEADLINE)) {
          throw new AssertionError("timed out; received so far: "
              + got.stream().map(SimulatedSo.Received::describe).toList());
        }
        return;
      }
      so.next(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos()))).ifPresent(got::add);
    }
  }

  private static long count(List<SimulatedSo.Received> got, String simulationId, Class<? extends Topic> kind) {
    return got.stream().filter(r -> kind.isInstance(r.topic()) && simulationOf(r.topic()).equals(simulationId))
        .count();
  }

  private static String simulationOf(Topic topic) {
    if (topic instanceof Topic.ModelsReady t) {
      return t.simulationId();
    }
    if (topic instanceof Topic.ModelHasTerminated t) {
      return t.simulationId();
    }
    if (topic instanceof Topic.AllModelsHaveTerminated t) {
      return t.simulationId();
    }
    return "";
  }

  private static int indexOf(List<SimulatedSo.Received> got, Class<? extends Topic> kind) {
    for (int i = 0; i < got.size(); i++) {
      if (kind.isInstance(got.get(i).topic())) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Adds the models of the first simulation whose container has ended, with when, to
   * {@code ended} (kept across calls: pods are deleted after their retention); returns its size.
   */
  private static int recordEnded(TestStack stack, Map<String, Instant> ended) {
    for (Pod p : stack.kubernetes.client().pods().inNamespace("dots").list().getItems()) {
      String name = p.getMetadata().getName();
      if (!name.startsWith(podName(SIMULATION, "")) || p.getStatus() == null
          || p.getStatus().getContainerStatuses() == null) {
        continue;
      }
      p.getStatus().getContainerStatuses().stream()
          .map(s -> s.getState().getTerminated()).filter(t -> t != null).findFirst()
          .ifPresent(t -> ended.put(name.substring(podName(SIMULATION, "").length()), Instant.parse(t.getFinishedAt())));
    }
    return ended.size();
  }

  private static boolean logged(TestStack stack, String podName, String text) {
    return stack.kubernetes.logs().tail(podName, 0)
        .map(lines -> lines.stream().anyMatch(l -> l.contains(text))).orElse(false);
  }

  private static JsonNode simulation(TestStack stack, TugboatNode node, String simulationId) throws Exception {
    return new ObjectMapper().readTree(stack.get(node, "/api/v1/simulations/" + simulationId).body());
  }

  private static double gauge(String metrics, String name) {
    return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst().orElseThrow(() -> new AssertionError("no metric " + name));
  }
}
