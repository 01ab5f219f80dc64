package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.SecretEnvNames;
import dev.tugboat.protocol.SecretKey;
import dev.tugboat.protocol.ServiceSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A secret variable reaches the container through the pod's own Secret, never as a value in the pod. */
class PodFactorySecretsTest {
  private static final Sealer SEALER = new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate());
  private static final PodFactory FACTORY = new PodFactory(KubernetesSettings.fromConfig(ConfigFactory.parseString(
      "tugboat.kubernetes.deployment-id = prod-1").withFallback(ConfigFactory.defaultReference()).resolve()));

  private static ServiceSpec sealedSpec() {
    return SEALER.seal(ServiceSpec.of("204-asd", "sim02-abc", new ModelSpec("m0", "fake_model:latest", List.of(
        new EnvVar("MQTT_HOST", "mqtt"), new EnvVar("MQTT_PASSWORD", "hunter2-secret"), new EnvVar("API_TOKEN", "t0k"),
        new EnvVar("MODEL_ID", "m0"))), 24.0));
  }

  @Test
  void secretVariablesAreSecretKeyRefsAndPlainOnesStayAsSentInOrder() {
    ServiceSpec spec = sealedSpec();
    Pod pod = FACTORY.podFor(spec);
    Container c = pod.getSpec().getContainers().get(0);
    assertEquals(List.of("MQTT_HOST", "MQTT_PASSWORD", "API_TOKEN", "MODEL_ID"),
        c.getEnv().stream().map(e -> e.getName()).toList());
    assertEquals("mqtt", c.getEnv().get(0).getValue());
    assertNull(c.getEnv().get(0).getValueFrom());
    assertEquals("m0", c.getEnv().get(3).getValue());
    for (int i : new int[] {1, 2}) {
      var e = c.getEnv().get(i);
      assertNull(e.getValue());
      assertEquals(spec.podName(), e.getValueFrom().getSecretKeyRef().getName());
      assertEquals(e.getName(), e.getValueFrom().getSecretKeyRef().getKey());
    }
    String json = Serialization.asJson(pod);
    assertFalse(json.contains("hunter2-secret"), json);
    assertFalse(json.contains(spec.env().get(1).sealed()), "the pod carries no ciphertext either");
    assertTrue(PodFactory.needsSecret(spec));
  }

  @Test
  void aPodWithoutSecretsNeedsNoSecret() {
    ServiceSpec plain = SEALER.seal(ServiceSpec.of("204-asd", "sim", new ModelSpec("m0", "img",
        List.of(new EnvVar("MQTT_HOST", "mqtt"))), 1.0));
    assertFalse(PodFactory.needsSecret(plain));
    assertEquals("mqtt", FACTORY.podFor(plain).getSpec().getContainers().get(0).getEnv().get(0).getValue());
  }

  @Test
  void theSecretIsNamedLikeThePodLabelledAndOwnedByIt() {
    ServiceSpec spec = sealedSpec();
    Pod created = new PodBuilder(FACTORY.podFor(spec)).editMetadata().withUid("uid-1").endMetadata().build();
    Secret secret = FACTORY.secretFor(spec, created, SEALER.secretValues(spec));
    assertEquals(spec.podName(), secret.getMetadata().getName());
    assertEquals("dots", secret.getMetadata().getNamespace());
    assertEquals(Map.of("simulator_id", "204-asd", "simulation_id", "sim02-abc", "model_id", "m0",
        "app.kubernetes.io/managed-by", "tugboat", "tugboat.dev/deployment", "prod-1"), secret.getMetadata().getLabels());
    OwnerReference owner = secret.getMetadata().getOwnerReferences().get(0);
    assertEquals(List.of("v1", "Pod", spec.podName(), "uid-1", false, false), List.of(owner.getApiVersion(),
        owner.getKind(), owner.getName(), owner.getUid(), owner.getController(), owner.getBlockOwnerDeletion()));
    assertEquals(List.of("MQTT_PASSWORD", "API_TOKEN"), List.copyOf(secret.getData().keySet()));
    assertEquals("hunter2-secret", new String(Base64.getDecoder().decode(secret.getData().get("MQTT_PASSWORD")),
        StandardCharsets.UTF_8));
  }
}
