package dev.tugboat.k8s.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.dots.Lifecycle;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The simulated kubelet runs the DOTS fake model against a real broker (HiveMQ CE embedded):
 * EXIT_CODE 0/1/2 give ReadyForProcessing or not and exit codes 0/1/2, and the log endpoint
 * serves what the model printed.
 */
class FakeModelIT {
  private static final String NS = "dots";

  @TempDir
  static Path dir;

  private static TestBroker broker;
  private static SimulatedKubernetes kube;
  private static MqttClient observer;
  private static final Map<String, byte[]> ready = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    broker = new TestBroker(dir);
    kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults(NS)
        .withPendingDelay(Duration.ofMillis(50)).withModelRunTime(Duration.ofSeconds(30)));
    observer = new MqttClient("tcp://127.0.0.1:" + broker.port, "observer", new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    observer.connect(o);
    // The callback only records; it never blocks Paho's thread.
    observer.subscribe("/lifecycle/model/mso/+/+/ReadyForProcessing", 1, (topic, msg) -> ready.put(topic, msg.getPayload()));
  }

  @AfterAll
  static void stop() throws Exception {
    observer.disconnect();
    observer.close();
    kube.close();
    broker.close();
  }

  private static Pod fakeModelPod(String name, String image, Map<String, String> env) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().addNewContainer().withName("model").withImage(image)
        .withEnv(env.entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList())
        .endContainer().withRestartPolicy("Never").endSpec().build();
  }

  private static Map<String, String> env(String simulation, String model, String exitCode, int port) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("MQTT_HOST", "127.0.0.1");
    env.put("MQTT_PORT", String.valueOf(port));
    env.put("MQTT_USERNAME", "user");
    env.put("MQTT_PASSWORD", "hunter2");
    env.put("SIMULATOR_ID", "204-asd");
    env.put("SIMULATION_ID", simulation);
    env.put("MODEL_ID", model);
    env.put("FAKE_MODEL_RUN_SECONDS", "0.3");
    if (exitCode != null) {
      env.put("EXIT_CODE", exitCode);
    }
    return env;
  }

  private static ContainerStateTerminated awaitTerminated(KubernetesClient client, String name) {
    return Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
      Pod p = client.pods().inNamespace(NS).withName(name).get();
      if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses() == null
          || p.getStatus().getContainerStatuses().isEmpty()) {
        return null;
      }
      return p.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    }, t -> t != null);
  }

  @ParameterizedTest(name = "EXIT_CODE={0}")
  @CsvSource({
      "'', 0, true, Succeeded, Completed",
      "0, 0, true, Succeeded, Completed",
      "1, 1, false, Failed, Error",
      "2, 2, true, Failed, Error",
  })
  void exitCodesAndReadiness(String exitCode, int expectedExit, boolean sendsReady, String phase, String reason) {
    String model = "model-" + (exitCode == null || exitCode.isEmpty() ? "unset" : exitCode);
    String name = "fake-" + model;
    KubernetesClient client = kube.client();
    client.pods().inNamespace(NS).resource(fakeModelPod(name, "fake_model:latest",
        env("sim02-abc", model, exitCode, broker.port))).create();

    ContainerStateTerminated t = awaitTerminated(client, name);
    assertEquals(expectedExit, t.getExitCode());
    assertEquals(reason, t.getReason());
    assertEquals(phase, client.pods().inNamespace(NS).withName(name).get().getStatus().getPhase());

    String topic = "/lifecycle/model/mso/sim02-abc/" + model + "/ReadyForProcessing";
    if (sendsReady) {
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ready.containsKey(topic));
      assertEquals(0, ready.get(topic).length, "ReadyForProcessing is an empty protobuf");
      assertEquals(Lifecycle.ReadyForProcessing.getDefaultInstance(), parse(ready.get(topic)));
    } else {
      assertFalse(ready.containsKey(topic));
    }

    String log = client.pods().inNamespace(NS).withName(name).inContainer("model").tailingLines(100).getLog();
    assertTrue(log.contains("Model booting..."), log);
    assertTrue(log.contains("MQTT_PASSWORD: ********"), log);
    assertFalse(log.contains("hunter2"), log);
    assertTrue(log.contains("Container exited with code " + expectedExit), log);
    String last2 = client.pods().inNamespace(NS).withName(name).inContainer("model").tailingLines(2).getLog();
    assertEquals(2, last2.split("\n").length, last2);
  }

  @Test
  void anUnreachableBrokerMakesTheModelExit1() throws Exception {
    int deadPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    String name = "fake-no-broker";
    kube.client().pods().inNamespace(NS).resource(fakeModelPod(name, "fake_model_dots",
        env("sim-x", "m0", null, deadPort))).create();
    assertEquals(1, awaitTerminated(kube.client(), name).getExitCode());
    Optional<List<String>> lines = kube.logs().tail(name, 0);
    assertTrue(lines.orElseThrow().stream().anyMatch(l -> l.startsWith("ERROR: could not send ReadyForProcessing")),
        lines.toString());
  }

  @Test
  void deletingThePodStopsTheModel() {
    String name = "fake-deleted";
    kube.client().pods().inNamespace(NS).resource(fakeModelPod(name, "fake_model:latest",
        Map.of("MQTT_HOST", "127.0.0.1", "MQTT_PORT", String.valueOf(broker.port), "SIMULATION_ID", "sim-d",
            "MODEL_ID", "m0", "FAKE_MODEL_RUN_SECONDS", "60"))).create();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ready.containsKey("/lifecycle/model/mso/sim-d/m0/ReadyForProcessing"));
    int before = kube.kubelet().runningContainers();
    kube.client().pods().inNamespace(NS).withName(name).delete();
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> kube.kubelet().runningContainers() == before - 1
        && kube.logs().tail(name, 0).isEmpty());
  }

  @Test
  void aModelWaitingForTheBrokerSendsReadyForProcessingOnceTheBrokerIsBack() throws Exception {
    try (TestBroker restarting = new TestBroker(dir.resolve("restarting"), true)) {
      Map<String, byte[]> seen = new ConcurrentHashMap<>();
      MqttClient so = new MqttClient("tcp://127.0.0.1:" + restarting.port, "observer-restart", new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      // A persistent session on a broker that keeps it on disk: what is published before the
      // observer is back is queued for it.
      o.setCleanSession(false);
      o.setAutomaticReconnect(true);
      o.setMaxReconnectDelay(1000);
      so.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {}

        @Override
        public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
          seen.put(topic, message.getPayload());
        }

        @Override
        public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {}
      });
      so.connect(o);
      so.subscribe("/lifecycle/model/mso/sim-br/+/ReadyForProcessing", 1);
      try {
        // The first model opens the fake models' shared connection to this broker.
        kube.client().pods().inNamespace(NS).resource(fakeModelPod("fake-br-first", "fake_model:latest",
            env("sim-br", "first", null, restarting.port))).create();
        Awaitility.await().atMost(Duration.ofSeconds(10))
            .until(() -> seen.containsKey("/lifecycle/model/mso/sim-br/first/ReadyForProcessing"));

        restarting.stop();
        String late = "fake-br-late";
        kube.client().pods().inNamespace(NS).resource(fakeModelPod(late, "fake_model:latest",
            env("sim-br", "late", null, restarting.port))).create();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> kube.logs().tail(late, 0)
            .map(lines -> lines.stream().anyMatch(l -> l.contains("connection to the broker is down"))).orElse(false));
        assertTrue(kube.client().pods().inNamespace(NS).withName(late).get().getStatus().getContainerStatuses().get(0)
            .getState().getRunning() != null, "the waiting model keeps running");

        restarting.start();
        Awaitility.await().atMost(Duration.ofSeconds(15))
            .until(() -> seen.containsKey("/lifecycle/model/mso/sim-br/late/ReadyForProcessing"));
        assertEquals(0, awaitTerminated(kube.client(), late).getExitCode(), "it ran to its end once Ready was sent");
        assertTrue(kube.logs().tail(late, 0).orElseThrow().stream().anyMatch(l -> l.startsWith("Sent ReadyForProcessing")));
      } finally {
        so.disconnectForcibly(1000);
        so.close();
      }
    }
  }

  private static Lifecycle.ReadyForProcessing parse(byte[] b) {
    try {
      return Lifecycle.ReadyForProcessing.parseFrom(b);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
