package dev.tugboat.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped for 30 s in the middle of a 10-model simulation and started again on the same
 * data directory and port: models end while the journal is down, the simulation still completes
 * with every notification exactly once, readiness is 503 naming the journal while it is down and
 * 200 again afterwards, and no pod is created twice or left behind.
 */
class DatabaseOutageIT {
  private static final String SIMULATION = "outage";
  private static final int MODELS = 10;
  private static final Duration OUTAGE = Duration.ofSeconds(30);
  private static final double KEEP_LOGS_HOURS = 5.0 / 3600;

  @Test
  void aSimulationOutlivesADatabaseOutage() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(40))) {
      Path pgData = stack.dataDir.resolve("pg");
      int pgPort = TestStack.freePort();
      EmbeddedPostgres postgres = startPostgres(pgData, pgPort);
      try {
        Map<String, Object> database = Map.of(
            "tugboat.database.kind", "postgres",
            "tugboat.database.url", postgres.getJdbcUrl("postgres", "postgres"),
            "tugboat.database.user", "postgres",
            "tugboat.database.password", "postgres",
            "tugboat.database.max-connections", 8);
        try (TugboatNode node = stack.startNode(database); SimulatedSo so = stack.so()) {
          so.deploy("204-asd", SIMULATION, models(stack.mqttPort), KEEP_LOGS_HOURS);
          List<SimulatedSo.Received> got = new ArrayList<>(TestStack.receiveUntil(so, SIMULATION,
              l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.ModelsReady), Duration.ofSeconds(60)));

          postgres.close();
          // The outage's length is the point of the test; readiness is observed while it lasts.
          Map<Integer, Integer> readinessDuringOutage = new TreeMap<>();
          List<String> journalDownBodies = new ArrayList<>();
          long outageEnds = System.nanoTime() + OUTAGE.toNanos();
          while (System.nanoTime() < outageEnds) {
            var ready = stack.get(node, "/health/ready");
            readinessDuringOutage.merge(ready.statusCode(), 1, Integer::sum);
            if (ready.statusCode() == 503 && ready.body().contains("{\"name\":\"journal\",\"ok\":false,\"reason\":")) {
              journalDownBodies.add(ready.body());
            }
            so.next(Duration.ofMillis(500)).filter(r -> r.topic().format().contains("/" + SIMULATION + "/"))
                .ifPresent(got::add);
          }
          postgres = startPostgres(pgData, pgPort);
          assertTrue(journalDownBodies.size() >= readinessDuringOutage.values().stream().mapToInt(n -> n).sum() / 2,
              "readiness names the journal for most of the outage: " + readinessDuringOutage);

          got.addAll(TestStack.receiveUntil(so, SIMULATION,
              l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(90)));
          // Anything repeated would arrive right behind the end.
          got.addAll(TestStack.receiveDuring(so, SIMULATION, Duration.ofSeconds(3)));

          String seen = got.stream().map(SimulatedSo.Received::describe).toList().toString();
          assertEquals(1, count(got, Topic.ModelsReady.class), seen);
          assertEquals(1, count(got, Topic.AllModelsHaveTerminated.class), seen);
          Map<String, Long> terminations = got.stream().filter(r -> r.topic() instanceof Topic.ModelHasTerminated)
              .collect(Collectors.groupingBy(r -> ((Topic.ModelHasTerminated) r.topic()).modelId(), TreeMap::new,
                  Collectors.counting()));
          assertEquals(MODELS, terminations.size(), seen);
          assertTrue(terminations.values().stream().allMatch(n -> n == 1), "each model terminated once: " + seen);
          for (SimulatedSo.Received r : got) {
            if (r.message() instanceof Lifecycle.ModelHasTerminated m) {
              assertEquals(Lifecycle.TerminationStatus.SUCCESSFULL, m.getStatus(), seen);
            }
          }
          assertTrue(got.get(got.size() - 1).topic() instanceof Topic.AllModelsHaveTerminated, seen);

          await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
              .until(() -> stack.get(node, "/health/ready").statusCode() == 200);
          assertTrue(stack.get(node, "/health/ready").body().contains("{\"name\":\"journal\",\"ok\":true}"));
          Map<String, Integer> creates = stack.kubernetes.counters().createsByPod();
          assertEquals(MODELS, creates.keySet().stream().filter(p -> p.contains("-" + SIMULATION + "-")).count(),
              "pods created: " + creates);
          assertTrue(creates.values().stream().allMatch(n -> n == 1), "pods created more than once: " + creates);
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
              .until(() -> stack.kubernetes.client().pods().inNamespace("dots").list().getItems().isEmpty());
          System.out.printf("DatabaseOutageIT: readiness during the %d s outage: %s; first DOWN body: %s%n",
              OUTAGE.toSeconds(), readinessDuringOutage, journalDownBodies.get(0));
        }
      } finally {
        postgres.close();
      }
    }
  }

  private static EmbeddedPostgres startPostgres(Path dataDir, int port) throws Exception {
    // Not cleaned: the second start must find the journal the first one wrote.
    return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port).start();
  }

  private static long count(List<SimulatedSo.Received> got, Class<? extends Topic> kind) {
    return got.stream().filter(r -> kind.isInstance(r.topic())).count();
  }

  /** Models that end from 20 s to 47 s after they start: some while the journal is down, some after. */
  private static List<ModelSpec> models(int mqttPort) {
    List<ModelSpec> models = new ArrayList<>();
    for (int i = 0; i < MODELS; i++) {
      models.add(new ModelSpec("m" + i, "fake_model:latest", List.of(
          new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(mqttPort)),
          new EnvVar("SIMULATOR_ID", "204-asd"), new EnvVar("SIMULATION_ID", SIMULATION),
          new EnvVar("MODEL_ID", "m" + i), new EnvVar("FAKE_MODEL_RUN_SECONDS", Integer.toString(20 + 3 * i)))));
    }
    return models;
  }
}
