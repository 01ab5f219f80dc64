package dev.tugboat.k8s;

import static dev.tugboat.k8s.PodConventions.*;

import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.PublishedPort;
import dev.tugboat.protocol.hosted.Resources;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the pod of one replica of a hosted service: this deployment's ownership labels (so the
 * informer sees it and no other deployment's reconciler touches it) plus
 * {@code tugboat.dev/hosted-service}, {@code tugboat.dev/replica} and {@code tugboat.dev/generation};
 * one container named {@code service} with the image, the command as its args, the environment
 * (a sealed variable read from the pod's own Secret, {@link #secretFor}, as a model's),
 * the resources of the spec (each one it leaves empty from the pod defaults) and a container port
 * per published port; the deployment's pod settings and defaults as a model's pod has them
 * ({@link PodParts}); a TCP readiness probe on the
 * first published port, so a replica joins the proxy's rotation only once it accepts connections.
 * restartPolicy Never: the entity replaces a failed replica itself, with its own backoff.
 */
public final class HostedPodFactory {

  private final KubernetesSettings settings;

  public HostedPodFactory(KubernetesSettings settings) {
    this.settings = settings;
  }

  /** The labels of one replica's pod (also the selector of the service's pods without the last two). */
  public Map<String, String> labels(String service, int slot, long generation) {
    Map<String, String> labels = new LinkedHashMap<>(PodFactory.ownershipLabels(settings.deploymentId()));
    labels.put(LABEL_HOSTED_SERVICE, service);
    labels.put(LABEL_REPLICA, Integer.toString(slot));
    labels.put(LABEL_GENERATION, Long.toString(generation));
    return labels;
  }

  public Pod podFor(HostedSpec spec, int slot, long generation) {
    String name = dev.tugboat.protocol.hosted.HostedPodNames.podName(spec.name(), slot, generation);
    List<EnvVar> env = PodParts.env(spec.env(), name);
    List<ContainerPort> ports = spec.publishedPorts().stream().map(p -> new ContainerPortBuilder()
        .withContainerPort(p.port()).withProtocol("TCP").build()).toList();
    PodBuilder b = PodParts.pod(settings, name, labels(spec.name(), slot, generation),
        Map.of(LABEL_HOSTED_SERVICE, spec.name()), HOSTED_CONTAINER_NAME, spec.image(), env, resources(spec.resources()));
    b.editSpec().editFirstContainer()
        .withArgs(spec.command().isEmpty() ? null : spec.command())
        .withPorts(ports)
        .endContainer().endSpec();
    if (!spec.publishedPorts().isEmpty()) {
      PublishedPort first = spec.publishedPorts().get(0);
      b.editSpec().editFirstContainer().withNewReadinessProbe()
          .withNewTcpSocket().withPort(new IntOrString(first.port())).endTcpSocket()
          .withPeriodSeconds(2).withFailureThreshold(3)
          .endReadinessProbe().endContainer().endSpec();
    }
    return b.build();
  }

  /** True when the replica's pod needs a Secret: at least one of the service's variables is sealed. */
  public static boolean needsSecret(HostedSpec spec) {
    return PodParts.needsSecret(spec.env());
  }

  /**
   * The Secret of the created replica pod {@code pod}: the opened values of the sealed variables
   * ({@code values}, by name), named and labelled like the pod, owned by it.
   */
  public Secret secretFor(HostedSpec spec, int slot, long generation, Pod pod, Map<String, String> values) {
    return PodParts.secret(settings, labels(spec.name(), slot, generation), pod, values);
  }

  /** The spec's resources; each one the spec leaves empty comes from the pod defaults. */
  private ResourceRequirements resources(Resources r) {
    return PodParts.resources(settings.podDefaults(), r.cpuRequest(), r.memoryRequest(), r.cpuLimit(), r.memoryLimit());
  }
}
