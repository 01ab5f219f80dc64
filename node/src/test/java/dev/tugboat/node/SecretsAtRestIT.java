package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.OwnerOnly;
import dev.tugboat.protocol.topics.Topic;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A simulation whose models get MQTT_PASSWORD runs to its end, and a hosted service gets it as
 * DB_PASSWORD, and afterwards neither the journal's files, nor the node's log output, nor its HTTP
 * views, nor the pods hold the password; it sits in the pods' own Secrets only.
 */
class SecretsAtRestIT {
  private static final String PASSWORD = "hunter2-secret";
  private static final String SIMULATION = "secret-sim";

  @Test
  void thePasswordReachesThePodsThroughSecretsAndIsNeitherJournaledNorLogged() throws Exception {
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger tugboat = (Logger) LoggerFactory.getLogger("dev.tugboat");
    Level tugboatLevel = tugboat.getLevel();
    Level rootLevel = root.getLevel();
    captured.start();
    root.addAppender(captured);
    tugboat.setLevel(Level.DEBUG);
    root.setLevel(Level.INFO);
    TestStack stack = TestStack.start(Duration.ofSeconds(1));
    try {
      TugboatNode node = stack.startNode(Map.of());
      try (SimulatedSo so = stack.so()) {
        List<ModelSpec> models = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          models.add(new ModelSpec("m" + i, "fake_model:latest", List.of(
              new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
              new EnvVar("MQTT_USERNAME", "dots"), new EnvVar("MQTT_PASSWORD", PASSWORD),
              new EnvVar("SIMULATOR_ID", "204-asd"), new EnvVar("SIMULATION_ID", SIMULATION),
              new EnvVar("MODEL_ID", "m" + i))));
        }
        so.deploy("204-asd", SIMULATION, models, 24.0);
        List<SimulatedSo.Received> got = TestStack.receiveUntil(so, SIMULATION,
            l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated), Duration.ofSeconds(90));
        assertEquals(List.of("ModelsReady", "ModelHasTerminated", "ModelHasTerminated", "AllModelsHaveTerminated"),
            got.stream().map(r -> r.topic().getClass().getSimpleName()).toList(),
            "the models got their environment and ran");

        // A redelivered DeployModels is still the same deployment (compared through the seal).
        so.deploy("204-asd", SIMULATION, models, 24.0);

        String views = stack.get(node, "/api/v1/simulations/" + SIMULATION).body()
            + stack.get(node, "/api/v1/simulations/" + SIMULATION + "/services/m0").body();
        assertFalse(views.contains(PASSWORD), views);

        // A hosted service with a password: its replica runs with it, its view never shows it.
        HttpRequest create = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.httpPort() + "/api/v1/services"))
            .header("Authorization", "Bearer " + stack.operatorToken).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"vault\",\"image\":\"tugboat/echo-service:1\","
                + "\"env\":{\"MODE\":\"lab\",\"DB_PASSWORD\":\"" + PASSWORD + "\"},"
                + "\"publishedPorts\":[{\"port\":8080,\"access\":\"public\"}],"
                + "\"replicas\":{\"min\":1,\"max\":1},\"idleTimeout\":\"PT10M\"}"))
            .timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> created = HttpClient.newHttpClient().send(create, HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(200, HttpClient.newHttpClient().send(create, HttpResponse.BodyHandlers.ofString()).statusCode(),
            "the same body again is the same service (compared through the seal)");
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
            stack.get(node, "/api/v1/services/vault").body().contains("\"status\":\"RUNNING\""));
        String hostedView = stack.get(node, "/api/v1/services/vault").body()
            + stack.get(node, "/api/v1/services").body();
        assertFalse(hostedView.contains(PASSWORD), hostedView);
        assertTrue(hostedView.contains("{\"name\":\"DB_PASSWORD\",\"value\":\"<secret>\"}"), hostedView);
        var replica = stack.kubernetes.client().pods().inNamespace("dots").withName("hs-vault-0-g0").get();
        assertFalse(Serialization.asJson(replica).contains(PASSWORD), "the replica's pod spec holds no value");
        assertEquals(replica.getMetadata().getUid(), stack.kubernetes.client().secrets().inNamespace("dots")
            .withName("hs-vault-0-g0").get().getMetadata().getOwnerReferences().get(0).getUid());

        var pods = stack.kubernetes.client().pods().inNamespace("dots").list().getItems().stream()
            .filter(p -> SIMULATION.equals(p.getMetadata().getLabels().get("simulation_id"))).toList();
        assertEquals(2, pods.size());
        for (var pod : pods) {
          assertFalse(Serialization.asJson(pod).contains(PASSWORD), "the pod spec holds no value");
          Secret secret = stack.kubernetes.client().secrets().inNamespace("dots")
              .withName(pod.getMetadata().getName()).get();
          assertEquals(pod.getMetadata().getUid(), secret.getMetadata().getOwnerReferences().get(0).getUid());
        }
      } finally {
        node.close();
      }

      Path nodeDir = stack.dataDir.resolve("node");
      List<Path> files;
      try (Stream<Path> all = Files.walk(stack.dataDir)) {
        files = all.filter(Files::isRegularFile).toList();
      }
      assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().endsWith(".mv.db")), files.toString());
      for (Path f : files) {
        String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertFalse(content.contains(PASSWORD), f + " holds the password");
      }
      if (OwnerOnly.posix(nodeDir)) {
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir)));
        for (Path f : files) {
          if (f.startsWith(nodeDir)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
          }
        }
      }
    } finally {
      root.detachAppender(captured);
      tugboat.setLevel(tugboatLevel);
      root.setLevel(rootLevel);
      stack.close();
    }
    assertTrue(captured.list.size() > 10, "the node logged");
    for (ILoggingEvent e : captured.list) {
      String line = e.getFormattedMessage()
          + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
      assertFalse(line.contains(PASSWORD), "logged: " + line);
    }
  }
}
