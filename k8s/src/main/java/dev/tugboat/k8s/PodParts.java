package dev.tugboat.k8s;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod-building pieces {@link PodFactory} and {@link HostedPodFactory} share, so that both kinds
 * of pod honour the deployment's settings (namespace, pull policy and secret, node selector, and
 * the pod defaults: service account, tolerations, container resources) and keep sealed variables
 * out of the pod spec (a Secret of the pod's own) the same way.
 */
final class PodParts {

  private PodParts() {
  }

  /**
   * A pod with one container ({@code containerName}, {@code image}, {@code env}, {@code resources}),
   * restartPolicy Never (the entity replaces a failed pod itself), and the deployment's namespace,
   * image pull policy, node selector, image pull secret, and the pod defaults' service account and
   * tolerations.
   */
  static PodBuilder pod(KubernetesSettings settings, String name, Map<String, String> labels,
      Map<String, String> annotations, String containerName, String image, List<EnvVar> env,
      ResourceRequirements resources) {
    PodBuilder b = new PodBuilder()
        .withNewMetadata()
          .withName(name)
          .withNamespace(settings.namespace())
          .withLabels(labels)
          .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
          .addNewContainer()
            .withName(containerName)
            .withImage(image)
            .withImagePullPolicy(settings.imagePullPolicy())
            .withEnv(env)
            .withResources(resources)
          .endContainer()
          .withRestartPolicy("Never")
          .withNodeSelector(settings.nodeSelector().isEmpty() ? null : new LinkedHashMap<>(settings.nodeSelector()))
        .endSpec();
    PodDefaults d = settings.podDefaults();
    if (!d.serviceAccount().isEmpty()) {
      b.editSpec().withServiceAccountName(d.serviceAccount()).endSpec();
    }
    if (!settings.imagePullSecret().isBlank()) {
      b.editSpec().withImagePullSecrets(new LocalObjectReference(settings.imagePullSecret())).endSpec();
    }
    if (!d.tolerations().isEmpty()) {
      b.editSpec().withTolerations(d.tolerations().stream().map(PodParts::toleration).toList()).endSpec();
    }
    return b;
  }

  private static Toleration toleration(PodDefaults.Toleration t) {
    // Empty strings are left out: Kubernetes reads a missing key/value/effect as "any".
    return new TolerationBuilder()
        .withKey(t.key().isEmpty() ? null : t.key())
        .withOperator(t.operator())
        .withValue(t.value().isEmpty() ? null : t.value())
        .withEffect(t.effect().isEmpty() ? null : t.effect())
        .build();
  }

  /**
   * A container's requests and limits, each of the four from {@code own} when it is set there, else
   * from the pod defaults; null when none is set anywhere.
   */
  static ResourceRequirements resources(PodDefaults d, String cpuRequest, String memoryRequest, String cpuLimit,
      String memoryLimit) {
    return resources(or(cpuRequest, d.requestsCpu()), or(memoryRequest, d.requestsMemory()),
        or(cpuLimit, d.limitsCpu()), or(memoryLimit, d.limitsMemory()));
  }

  private static String or(String own, String fallback) {
    return own == null || own.isEmpty() ? fallback : own;
  }

  /**
   * The container's environment: a plain variable with its value, a sealed one read from the pod's
   * own Secret ({@code podName}, keyed by the variable's name), so that the pod spec holds no secret.
   */
  static List<EnvVar> env(List<dev.tugboat.protocol.EnvVar> env, String podName) {
    return env.stream().map(e -> e.hasSealedValue()
        ? new EnvVarBuilder().withName(e.name())
            .withNewValueFrom().withNewSecretKeyRef(e.name(), podName, null).endValueFrom().build()
        : new EnvVar(e.name(), e.value(), null)).toList();
  }

  /** True when a pod with {@code env} needs its Secret: at least one variable is sealed. */
  static boolean needsSecret(List<dev.tugboat.protocol.EnvVar> env) {
    return env.stream().anyMatch(dev.tugboat.protocol.EnvVar::hasSealedValue);
  }

  /**
   * The Secret holding the opened values of a pod's sealed variables ({@code values}, by name),
   * named like the pod, labelled {@code labels}, and owned by the created {@code pod} (its uid), so
   * that the garbage collector deletes it with the pod.
   */
  static Secret secret(KubernetesSettings settings, Map<String, String> labels, Pod pod, Map<String, String> values) {
    Map<String, String> data = new LinkedHashMap<>();
    values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata()
          .withName(pod.getMetadata().getName())
          .withNamespace(settings.namespace())
          .withLabels(labels)
          .withOwnerReferences(new OwnerReferenceBuilder()
              .withApiVersion("v1")
              .withKind("Pod")
              .withName(pod.getMetadata().getName())
              .withUid(pod.getMetadata().getUid())
              .withController(false)
              .withBlockOwnerDeletion(false)
              .build())
        .endMetadata()
        .withType("Opaque")
        .withData(data)
        .build();
  }

  /** A container's requests and limits; null (left out, as DOTS does) when all four are empty. */
  static ResourceRequirements resources(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {
    Map<String, Quantity> requests = quantities(cpuRequest, memoryRequest);
    Map<String, Quantity> limits = quantities(cpuLimit, memoryLimit);
    if (requests.isEmpty() && limits.isEmpty()) {
      return null;
    }
    ResourceRequirementsBuilder r = new ResourceRequirementsBuilder();
    if (!requests.isEmpty()) {
      r.withRequests(requests);
    }
    if (!limits.isEmpty()) {
      r.withLimits(limits);
    }
    return r.build();
  }

  private static Map<String, Quantity> quantities(String cpu, String memory) {
    Map<String, Quantity> m = new LinkedHashMap<>();
    if (!cpu.isEmpty()) {
      m.put("cpu", new Quantity(cpu));
    }
    if (!memory.isEmpty()) {
      m.put("memory", new Quantity(memory));
    }
    return m;
  }
}
