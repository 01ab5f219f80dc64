package dev.tugboat.k8s;

import static dev.tugboat.k8s.PodConventions.*;

import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.ServiceSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the pod of one service exactly as the DOTS MSO does, plus Tugboat's ownership marks and
 * the configured pod defaults (resources, service account, tolerations; none by default). A
 * secret environment variable (sealed in the spec) is not a value in the pod: the container reads
 * it from the pod's own Secret ({@link #secretFor}), named like the pod, keyed by the variable's
 * name and owned by the pod, so that Kubernetes deletes it with the pod.
 */
public final class PodFactory {

  private final KubernetesSettings settings;

  public PodFactory(KubernetesSettings settings) {
    this.settings = settings;
  }

  /** The labels that select this deployment's pods (the informer's selector). */
  public static Map<String, String> ownershipLabels(String deploymentId) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_MANAGED_BY, MANAGED_BY_VALUE);
    labels.put(LABEL_DEPLOYMENT, PodNames.labelValue(deploymentId));
    return labels;
  }

  /** True when the service's pod needs a Secret: at least one of its variables is sealed. */
  public static boolean needsSecret(ServiceSpec spec) {
    return PodParts.needsSecret(spec.env());
  }

  /**
   * The Secret holding the opened values of the pod's sealed variables ({@code values}, by name),
   * named like the pod, labelled like it (ownership and simulation/model labels), and owned by
   * the created {@code pod} (its uid), so that the garbage collector deletes it with the pod.
   */
  public Secret secretFor(ServiceSpec spec, Pod pod, Map<String, String> values) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_SIMULATOR_ID, PodNames.labelValue(spec.simulatorId()));
    labels.put(LABEL_SIMULATION_ID, PodNames.labelValue(spec.simulationId()));
    labels.put(LABEL_MODEL_ID, PodNames.labelValue(spec.modelId()));
    labels.putAll(ownershipLabels(settings.deploymentId()));
    return PodParts.secret(settings, labels, pod, values);
  }

  public Pod podFor(ServiceSpec spec) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_SIMULATOR_ID, PodNames.labelValue(spec.simulatorId()));
    labels.put(LABEL_SIMULATION_ID, PodNames.labelValue(spec.simulationId()));
    labels.put(LABEL_MODEL_ID, PodNames.labelValue(spec.modelId()));
    // DOTS writes the Python float, e.g. "24.0"; Java's Double.toString agrees for ordinary values.
    labels.put(LABEL_KEEP_LOGS_HOURS, PodNames.labelValue(Double.toString(spec.keepLogsHours())));
    labels.putAll(ownershipLabels(settings.deploymentId()));

    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(ANNOTATION_SIMULATOR_ID, spec.simulatorId());
    annotations.put(ANNOTATION_SIMULATION_ID, spec.simulationId());
    annotations.put(ANNOTATION_MODEL_ID, spec.modelId());

    List<EnvVar> env = PodParts.env(spec.env(), spec.podName());

    PodBuilder b = PodParts.pod(settings, spec.podName(), labels, annotations, CONTAINER_NAME, spec.imageUrl(), env,
        resources(settings.podDefaults()));
    return b.build();
  }

  /** The container's resources from the pod defaults; null (left out, as DOTS does) when none is configured. */
  private static ResourceRequirements resources(PodDefaults d) {
    return PodParts.resources(d.requestsCpu(), d.requestsMemory(), d.limitsCpu(), d.limitsMemory());
  }
}
