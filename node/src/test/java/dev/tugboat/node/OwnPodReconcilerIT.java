package dev.tugboat.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.k8s.KubernetesSettings;
import dev.tugboat.k8s.PodFactory;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.topics.Topic;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Taking back our own pods: a pod with this deployment's label but no service is deleted after
 * the orphan grace, never before; a pod of another deployment and the pods of live services are
 * left alone.
 */
class OwnPodReconcilerIT {

  @Test
  void orphanedOwnPodsAreDeletedAfterTheGraceAndNothingElseIsTouched() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(20));
         TugboatNode node = stack.startNode(Map.of(
             "tugboat.reconciler.interval", "500ms",
             "tugboat.reconciler.orphan-grace", "3s"));
         SimulatedSo so = stack.so()) {
      so.deploy("204-asd", "live", List.of(new ModelSpec("m0", "fake_model:latest", List.of(
          new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
          new EnvVar("SIMULATION_ID", "live"), new EnvVar("MODEL_ID", "m0")))), 24.0);
      TestStack.receiveUntil(so, "live", l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.ModelsReady),
          Duration.ofSeconds(60));

      PodFactory ours = new PodFactory(KubernetesSettings.fromConfig(stack.nodeConfig(Map.of())));
      Pod orphan = ours.podFor(ServiceSpec.of("204-asd", "forgotten",
          new ModelSpec("m0", "fake_model:latest", List.of()), 24.0));
      Pod foreign = new PodBuilder(ours.podFor(ServiceSpec.of("204-asd", "foreign",
              new ModelSpec("m0", "fake_model:latest", List.of()), 24.0)))
          .editMetadata().addToLabels("tugboat.dev/deployment", "another-tugboat").endMetadata().build();
      long created = System.nanoTime();
      stack.kubernetes.client().pods().inNamespace("dots").resource(orphan).create();
      stack.kubernetes.client().pods().inNamespace("dots").resource(foreign).create();

      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> pod(stack, orphan.getMetadata().getName()) == null);
      assertTrue(System.nanoTime() - created >= Duration.ofSeconds(3).toNanos(), "deleted only after the grace");
      assertNotNull(pod(stack, foreign.getMetadata().getName()), "another deployment's pod is never touched");
      assertNotNull(pod(stack, "204-asd-live-m0"), "a live service's pod is left to its service");
    }
  }

  private static Pod pod(TestStack stack, String name) {
    return stack.kubernetes.client().pods().inNamespace("dots").withName(name).get();
  }
}
