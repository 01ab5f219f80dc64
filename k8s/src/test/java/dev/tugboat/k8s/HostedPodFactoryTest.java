package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.SecretEnvNames;
import dev.tugboat.protocol.SecretKey;
import dev.tugboat.protocol.hosted.Access;
import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.PublishedPort;
import dev.tugboat.protocol.hosted.Replicas;
import dev.tugboat.protocol.hosted.Resources;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostedPodFactoryTest {

  private static final KubernetesSettings SETTINGS = KubernetesSettings.fromConfig(ConfigFactory.load());
  private static final HostedSpec SPEC = new HostedSpec("echo", "tugboat/echo-service:1",
      List.of(new EnvVar("A", "1")), List.of("--port", "8080"), new Resources("100m", "", "", "128Mi"),
      List.of(new PublishedPort(8080, Access.PRIVATE, "web", "/"), new PublishedPort(9090, Access.PUBLIC, "", "/")),
      new Replicas(1, 2), Duration.ofMinutes(5), "alice");

  @Test
  void aReplicasPodCarriesItsLabelsPortsAndAReadinessProbe() {
    Pod pod = new HostedPodFactory(SETTINGS).podFor(SPEC, 1, 3);
    assertEquals("hs-echo-1-g3", pod.getMetadata().getName());
    var labels = pod.getMetadata().getLabels();
    assertEquals("echo", labels.get("tugboat.dev/hosted-service"));
    assertEquals("1", labels.get("tugboat.dev/replica"));
    assertEquals("3", labels.get("tugboat.dev/generation"));
    assertTrue(labels.entrySet().containsAll(PodFactory.ownershipLabels(SETTINGS.deploymentId()).entrySet()));
    assertFalse(labels.containsKey(PodConventions.LABEL_SIMULATION_ID), "no DOTS label: not a model's pod");
    var c = pod.getSpec().getContainers().get(0);
    assertEquals("service", c.getName());
    assertEquals(List.of("--port", "8080"), c.getArgs());
    assertEquals(List.of(8080, 9090), c.getPorts().stream().map(p -> p.getContainerPort()).toList());
    assertEquals(8080, c.getReadinessProbe().getTcpSocket().getPort().getIntVal());
    assertEquals("100m", c.getResources().getRequests().get("cpu").toString());
    assertEquals("128Mi", c.getResources().getLimits().get("memory").toString());
    assertEquals("Never", pod.getSpec().getRestartPolicy());
  }

  /** The deployment's pod settings and defaults reach a replica's pod as they reach a model's. */
  @Test
  void aReplicasPodGetsTheDeploymentsPodDefaults() {
    KubernetesSettings settings = KubernetesSettings.fromConfig(ConfigFactory.parseString("""
        tugboat.kubernetes {
          image-pull-secret = regcred
          image-pull-policy = IfNotPresent
          node-selector { pool = services }
          pod-defaults {
            service-account = runner
            tolerations = "dedicated=services:NoSchedule,gpu:NoExecute"
            resources { requests { cpu = 250m, memory = 64Mi }, limits { cpu = "2", memory = 1Gi } }
          }
        }
        """).withFallback(ConfigFactory.defaultReference()).resolve());
    Pod pod = new HostedPodFactory(settings).podFor(SPEC, 0, 0);
    var spec = pod.getSpec();
    assertEquals("runner", spec.getServiceAccountName());
    assertEquals(List.of("regcred"), spec.getImagePullSecrets().stream().map(r -> r.getName()).toList());
    assertEquals("services", spec.getNodeSelector().get("pool"));
    assertEquals(List.of("dedicated Equal services NoSchedule", "gpu Exists null NoExecute"), spec.getTolerations()
        .stream().map(t -> t.getKey() + " " + t.getOperator() + " " + t.getValue() + " " + t.getEffect()).toList());
    var c = spec.getContainers().get(0);
    assertEquals("IfNotPresent", c.getImagePullPolicy());
    // The spec sets requests.cpu 100m and limits.memory 128Mi; the defaults fill in the other two.
    assertEquals("100m", c.getResources().getRequests().get("cpu").toString());
    assertEquals("64Mi", c.getResources().getRequests().get("memory").toString());
    assertEquals("2", c.getResources().getLimits().get("cpu").toString());
    assertEquals("128Mi", c.getResources().getLimits().get("memory").toString());
  }

  /** A sealed variable is read from the replica pod's own Secret; the pod spec holds no value. */
  @Test
  void aSealedVariableComesFromThePodsSecret() {
    Sealer sealer = new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate());
    HostedSpec sealed = sealer.seal(SPEC.withEnv(List.of(new EnvVar("A", "1"), new EnvVar("API_TOKEN", "t0ps3cret"))));
    HostedPodFactory factory = new HostedPodFactory(SETTINGS);
    Pod pod = factory.podFor(sealed, 0, 1);
    assertTrue(HostedPodFactory.needsSecret(sealed));
    assertFalse(HostedPodFactory.needsSecret(SPEC));
    assertFalse(io.fabric8.kubernetes.client.utils.Serialization.asJson(pod).contains("t0ps3cret"));
    var env = pod.getSpec().getContainers().get(0).getEnv();
    assertEquals("1", env.get(0).getValue());
    assertEquals(List.of("hs-echo-0-g1", "API_TOKEN"), List.of(env.get(1).getValueFrom().getSecretKeyRef().getName(),
        env.get(1).getValueFrom().getSecretKeyRef().getKey()));
    Pod created = new PodBuilder(pod).editMetadata().withUid("uid-1").endMetadata().build();
    var secret = factory.secretFor(sealed, 0, 1, created, sealer.secretValues(sealed.env()));
    assertEquals("hs-echo-0-g1", secret.getMetadata().getName());
    assertEquals("uid-1", secret.getMetadata().getOwnerReferences().get(0).getUid());
    assertEquals(pod.getMetadata().getLabels(), secret.getMetadata().getLabels());
    assertEquals("t0ps3cret", new String(java.util.Base64.getDecoder().decode(secret.getData().get("API_TOKEN")),
        java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void itsSnapshotNamesTheReplicaAndIsReadyOnlyWhenRunningReadyWithAnIp() {
    Pod pod = new PodBuilder(new HostedPodFactory(SETTINGS).podFor(SPEC, 0, 2)).withNewStatus().withPhase("Running")
        .withPodIP("10.0.0.9").withContainerStatuses(new ContainerStatusBuilder().withName("service").withReady(true)
            .withState(new ContainerStateBuilder().withNewRunning().endRunning().build()).build())
        .endStatus().build();
    HostedPod s = HostedPodSnapshots.tryOf(pod).orElseThrow();
    assertEquals(List.of("echo", 0, 2L, ContainerState.RUNNING, true, "10.0.0.9"),
        List.of(s.service(), s.slot(), s.generation(), s.container(), s.ready(), s.podIp()));
    Pod deleting = new PodBuilder(pod).editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
    assertFalse(HostedPodSnapshots.tryOf(deleting).orElseThrow().ready());
    assertTrue(HostedPodSnapshots.tryOf(new PodBuilder().withNewMetadata().withName("x").endMetadata().build())
        .isEmpty(), "not a hosted service's pod");
    assertTrue(PodSnapshots.tryOf(pod).isEmpty(), "never taken for a model's pod");
  }
}
