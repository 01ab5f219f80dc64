package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.ServiceSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pod of a service follows the DOTS conventions exactly, plus Tugboat's ownership marks. */
class PodFactoryTest {

  private static KubernetesSettings settings(String overrides) {
    return KubernetesSettings.fromConfig(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }

  private static final ModelSpec MODEL = new ModelSpec("Model-0", "registry.example/fake_model:latest",
      List.of(new EnvVar("EXIT_CODE", "2"), new EnvVar("MQTT_HOST", "mqtt"), new EnvVar("EMPTY", "")));

  @Test
  void followsTheDotsConventions() {
    ServiceSpec spec = ServiceSpec.of("204-asd", "sim02-abc", MODEL, 24.0);
    Pod pod = new PodFactory(settings("tugboat.kubernetes.deployment-id = prod-1")).podFor(spec);

    assertEquals("dots", pod.getMetadata().getNamespace());
    assertEquals("204-asd-sim02-abc-model-0", pod.getMetadata().getName());
    assertEquals(Map.of(
        "simulator_id", "204-asd",
        "simulation_id", "sim02-abc",
        "model_id", "Model-0",
        "keep_logs_hours", "24.0",
        "app.kubernetes.io/managed-by", "tugboat",
        "tugboat.dev/deployment", "prod-1"), pod.getMetadata().getLabels());
    assertEquals(Map.of(
        "tugboat.dev/simulator-id", "204-asd",
        "tugboat.dev/simulation-id", "sim02-abc",
        "tugboat.dev/model-id", "Model-0"), pod.getMetadata().getAnnotations());

    assertEquals(1, pod.getSpec().getContainers().size());
    Container c = pod.getSpec().getContainers().get(0);
    assertEquals("model", c.getName());
    assertEquals("registry.example/fake_model:latest", c.getImage());
    assertEquals("Always", c.getImagePullPolicy());
    assertEquals(List.of("EXIT_CODE=2", "MQTT_HOST=mqtt", "EMPTY="),
        c.getEnv().stream().map(e -> e.getName() + "=" + e.getValue()).toList());
    assertEquals("Never", pod.getSpec().getRestartPolicy());
    assertEquals(Map.of("type", "worker"), pod.getSpec().getNodeSelector());
    assertTrue(pod.getSpec().getImagePullSecrets() == null || pod.getSpec().getImagePullSecrets().isEmpty());
  }

  @Test
  void addsTheImagePullSecretWhenConfigured() {
    Pod pod = new PodFactory(settings("tugboat.kubernetes.image-pull-secret = regcred"))
        .podFor(ServiceSpec.of("so", "sim", MODEL, 1));
    assertEquals(1, pod.getSpec().getImagePullSecrets().size());
    assertEquals("regcred", pod.getSpec().getImagePullSecrets().get(0).getName());
  }

  @Test
  void anEmptyNodeSelectorIsLeftOut() {
    Pod pod = new PodFactory(settings("tugboat.kubernetes.node-selector = null")).podFor(ServiceSpec.of("so", "sim", MODEL, 1));
    assertNull(pod.getSpec().getNodeSelector());
  }

  @ParameterizedTest(name = "{0} / {1} / {2} / {3}")
  @CsvSource(delimiter = '|', value = {
      // simulator | simulation | model | keepLogsHours | pod name | keep_logs_hours label
      "204-asd | sim02-abc | 0 | 24.0 | 204-asd-sim02-abc-0 | 24.0",
      "SO | Sim_1 | M.2 | 0.5 | | 0.5",
      "so | sim | model with spaces? | 1 | | 1.0",
      "so | a-very-long-simulation-id-that-goes-on-and-on-and-on | model-number-one | 168 | | 168.0",
      "so | sim | -model- | 0 | | 0.0",
  })
  void namesAndLabelsAreValidAndExactIdsAreAnnotated(String simulator, String simulation, String model,
                                                      double keep, String expectedName, String expectedKeep) {
    ServiceSpec spec = ServiceSpec.of(simulator, simulation, new ModelSpec(model, "img", List.of()), keep);
    Pod pod = new PodFactory(settings("")).podFor(spec);
    String name = pod.getMetadata().getName();
    assertEquals(PodNames.podName(simulator, simulation, model), name);
    if (expectedName != null) {
      assertEquals(expectedName, name);
    }
    assertTrue(PodNames.isDns1123Label(name), name);
    pod.getMetadata().getLabels().values().forEach(v -> assertTrue(PodNames.isValidLabelValue(v), v));
    assertEquals(PodNames.labelValue(simulation), pod.getMetadata().getLabels().get("simulation_id"));
    assertEquals(PodNames.labelValue(model), pod.getMetadata().getLabels().get("model_id"));
    assertEquals(expectedKeep, pod.getMetadata().getLabels().get("keep_logs_hours"));
    assertEquals(simulator, pod.getMetadata().getAnnotations().get("tugboat.dev/simulator-id"));
    assertEquals(simulation, pod.getMetadata().getAnnotations().get("tugboat.dev/simulation-id"));
    assertEquals(model, pod.getMetadata().getAnnotations().get("tugboat.dev/model-id"));
  }
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      // pod-defaults override | requests | limits | service account | tolerations
      "''                                                          | {}                    | {}                     | | []",
      "resources.requests { cpu = 500m, memory = 256Mi }           | {cpu=500m, memory=256Mi} | {}                  | | []",
      "resources.limits.memory = 1Gi                               | {}                    | {memory=1Gi}           | | []",
      "resources { requests.cpu = \"1\", limits.cpu = \"2\" }  | {cpu=1}               | {cpu=2}                | | []",
      "service-account = model-runner                              | {}                    | {}                     | model-runner | []",
      "tolerations = [{key = dedicated, value = models, effect = NoSchedule}] | {}         | {}                     | | [dedicated Equal models NoSchedule]",
      "tolerations = [{key = gpu, operator = Exists}, {operator = Exists}] | {}            | {}                     | | [gpu Exists - -, - Exists - -]",
      "tolerations = \"dedicated=models:NoSchedule,gpu:NoExecute\" | {}                   | {}                     | | [dedicated Equal models NoSchedule, gpu Exists - NoExecute]",
  })
  void podDefaultsFromConfigurationAreApplied(String override, String requests, String limits, String serviceAccount,
                                              String tolerations) {
    Pod pod = new PodFactory(settings(override.isEmpty() ? "" : "tugboat.kubernetes.pod-defaults { " + override + " }"))
        .podFor(ServiceSpec.of("so", "sim", MODEL, 1));
    Container c = pod.getSpec().getContainers().get(0);
    if (requests.equals("{}") && limits.equals("{}")) {
      assertNull(c.getResources(), "no resources configured: left out as DOTS does");
    } else {
      assertEquals(requests, quantities(c.getResources().getRequests()));
      assertEquals(limits, quantities(c.getResources().getLimits()));
    }
    assertEquals(serviceAccount, pod.getSpec().getServiceAccountName());
    List<String> shown = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations().stream()
        .map(t -> dash(t.getKey()) + " " + t.getOperator() + " " + dash(t.getValue()) + " " + dash(t.getEffect()))
        .toList();
    assertEquals(tolerations, shown.toString());
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "resources.requests.cpu = lots",
      "resources.limits.memory = \"1 GB\"",
      "tolerations = [{key = a, operator = Sometimes}]",
      "tolerations = [{key = a, operator = Exists, value = b}]",
      "tolerations = [{key = a, value = b, effect = Never}]",
      "tolerations = [{value = b}]",
  })
  void badPodDefaultsAreRefusedAtStartUp(String override) {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> settings("tugboat.kubernetes.pod-defaults { " + override + " }"));
    assertTrue(e.getMessage().startsWith("tugboat.kubernetes.pod-defaults: "), e.getMessage());
  }

  private static String quantities(Map<String, io.fabric8.kubernetes.api.model.Quantity> m) {
    if (m == null || m.isEmpty()) {
      return "{}";
    }
    return new java.util.TreeMap<>(m).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(java.util.stream.Collectors.joining(", ", "{", "}"));
  }

  private static String dash(String s) {
    return s == null ? "-" : s;
  }
}
