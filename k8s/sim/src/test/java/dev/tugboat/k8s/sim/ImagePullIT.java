package dev.tugboat.k8s.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulated kubelet's image rule: busybox runs (and exits 0), an image it does not know is a
 * pull error, as on a real cluster: the container waits with ErrImagePull, then ImagePullBackOff,
 * and the pod stays Pending.
 */
class ImagePullIT {
  private static final String NS = "dots";
  private static SimulatedKubernetes kube;

  /** Every waiting reason each pod's container had, in order, as the store saw them. */
  private static final Map<String, List<String>> reasons = new ConcurrentHashMap<>();
  /** The message of each pod's ErrImagePull. */
  private static final Map<String, String> messages = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults(NS).withPendingDelay(Duration.ofMillis(50)));
    kube.observePods((type, pod) -> {
      if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
        String name = pod.getMetadata().getName();
        pod.getStatus().getContainerStatuses().stream().map(c -> c.getState().getWaiting()).filter(w -> w != null)
            .findFirst().ifPresent(w -> {
              reasons.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(w.getReason());
              if ("ErrImagePull".equals(w.getReason())) {
                messages.put(name, w.getMessage());
              }
            });
      }
    });
  }

  @AfterAll
  static void stop() {
    kube.close();
  }

  private static void create(String name, String image) {
    kube.client().pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().addNewContainer().withName("model").withImage(image)
        .withEnv(new EnvVar("FAKE_MODEL_RUN_SECONDS", "0.2", null)).endContainer()
        .withRestartPolicy("Never").endSpec().build()).create();
  }

  private static Optional<ContainerStatus> status(String name) {
    Pod p = kube.client().pods().inNamespace(NS).withName(name).get();
    if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return p.getStatus().getContainerStatuses().stream().findFirst();
  }

  private static String waitingReason(String name) {
    return status(name).map(s -> s.getState().getWaiting()).map(ContainerStateWaiting::getReason).orElse(null);
  }

  @Test
  void anUnknownImageWaitsWithErrImagePullThenImagePullBackOff() {
    create("unknown-image", "registry.example/no-such-model:1");
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> "ImagePullBackOff".equals(waitingReason("unknown-image")));
    assertEquals(List.of("ContainerCreating", "ErrImagePull", "ImagePullBackOff"), reasons.get("unknown-image"));
    assertEquals("Failed to pull image \"registry.example/no-such-model:1\": the simulated Kubernetes pulls only"
        + " fake_model* and busybox images", messages.get("unknown-image"));
    Pod pod = kube.client().pods().inNamespace(NS).withName("unknown-image").get();
    assertEquals("Pending", pod.getStatus().getPhase());
    assertNull(pod.getStatus().getContainerStatuses().get(0).getState().getRunning());
    assertEquals(false, pod.getStatus().getContainerStatuses().get(0).getReady());
  }

  @Test
  void busyboxRunsAndExitsZero() {
    create("busybox", "busybox:latest");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status("busybox")
        .map(s -> s.getState().getTerminated()).isPresent());
    assertEquals(0, status("busybox").orElseThrow().getState().getTerminated().getExitCode());
    assertEquals("Succeeded", kube.client().pods().inNamespace(NS).withName("busybox").get().getStatus().getPhase());
  }
}
