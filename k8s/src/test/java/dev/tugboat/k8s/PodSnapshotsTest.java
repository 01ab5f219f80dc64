package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pods translate into snapshots: identity from annotations, the model container's state. */
class PodSnapshotsTest {

  private static PodBuilder pod() {
    return new PodBuilder().withNewMetadata().withName("so-sim-m").withAnnotations(Map.of(
        "tugboat.dev/simulator-id", "SO", "tugboat.dev/simulation-id", "Sim", "tugboat.dev/model-id", "M")).endMetadata();
  }

  private static Pod withContainer(String phase, String container, io.fabric8.kubernetes.api.model.ContainerState state) {
    return pod().withNewStatus().withPhase(phase)
        .addToContainerStatuses(new ContainerStatusBuilder().withName("sidecar")
            .withState(state.getTerminated() != null
                ? new ContainerStateBuilder().withNewTerminated().withExitCode(0).withReason("Completed").endTerminated().build()
                : new ContainerStateBuilder().withNewRunning().endRunning().build()).build())
        .addToContainerStatuses(new ContainerStatusBuilder().withName(container).withState(state).build())
        .endStatus().build();
  }

  @Test
  void aNewPodWithoutStatusIsUnknown() {
    PodSnapshot s = PodSnapshots.of(pod().build());
    assertEquals(new PodSnapshot("so-sim-m", new ServiceId("Sim", "M"), "Unknown", ContainerState.UNKNOWN,
        null, null, null, false), s);
  }

  @Test
  void waitingCarriesTheReason() {
    PodSnapshot s = PodSnapshots.of(withContainer("Pending", "model",
        new ContainerStateBuilder().withNewWaiting().withReason("ImagePullBackOff").withMessage("no such image").endWaiting().build()));
    assertEquals(ContainerState.WAITING, s.container());
    assertEquals("Pending", s.phase());
    assertEquals("ImagePullBackOff", s.reason());
    assertEquals("no such image", s.message());
    assertNull(s.exitCode());
  }

  @Test
  void runningHasNoExitCode() {
    PodSnapshot s = PodSnapshots.of(withContainer("Running", "model",
        new ContainerStateBuilder().withNewRunning().withStartedAt("2024-01-01T00:00:00Z").endRunning().build()));
    assertEquals(ContainerState.RUNNING, s.container());
    assertNull(s.exitCode());
  }

  @Test
  void terminatedCarriesExitCodeAndReasonOfTheModelContainer() {
    PodSnapshot s = PodSnapshots.of(withContainer("Failed", "model",
        new ContainerStateBuilder().withNewTerminated().withExitCode(2).withReason("Error").endTerminated().build()));
    assertEquals(ContainerState.TERMINATED, s.container());
    assertEquals(2, s.exitCode());
    assertEquals("Error", s.reason());
    assertEquals("Failed", s.phase());
  }

  @Test
  void withoutAModelContainerTheFirstCounts() {
    PodSnapshot s = PodSnapshots.of(withContainer("Running", "other",
        new ContainerStateBuilder().withNewTerminated().withExitCode(3).endTerminated().build()));
    // Both containers ended; without a container named "model" the first one's exit code counts.
    assertEquals(ContainerState.TERMINATED, s.container());
    assertEquals(0, s.exitCode());
  }

  @Test
  void podReasonIsKeptWhenTheContainerHasNone() {
    Pod p = pod().withNewStatus().withPhase("Failed").withReason("Evicted").withMessage("node out of memory").endStatus().build();
    PodSnapshot s = PodSnapshots.of(p);
    assertEquals("Evicted", s.reason());
    assertEquals("node out of memory", s.message());
  }

  @Test
  void deletionTimestampMeansTerminating() {
    Pod p = pod().editMetadata().withDeletionTimestamp("2024-01-01T00:00:00Z").endMetadata().build();
    assertTrue(PodSnapshots.of(p).terminating());
    assertFalse(PodSnapshots.of(pod().build()).terminating());
  }

  @Test
  void podsWithoutAnnotationsHaveNoSnapshot() {
    Pod p = new PodBuilder().withNewMetadata().withName("stranger").endMetadata().build();
    assertTrue(PodSnapshots.tryOf(p).isEmpty());
    assertThrows(IllegalArgumentException.class, () -> PodSnapshots.of(p));
  }

  private static io.fabric8.kubernetes.api.model.ContainerState state(String spec) {
    String[] p = spec.split(":");
    return switch (p[0]) {
      case "waiting" -> new ContainerStateBuilder().withNewWaiting().withReason(p[1]).endWaiting().build();
      case "running" -> new ContainerStateBuilder().withNewRunning().endRunning().build();
      default -> new ContainerStateBuilder().withNewTerminated().withExitCode(Integer.parseInt(p[1]))
          .withReason(p[1].equals("0") ? "Completed" : "Error").endTerminated().build();
    };
  }

  /** Multi-container merge: the lowest state wins; the exit code is the model container's. */
  @ParameterizedTest(name = "model {0}, sidecar {1} -> {2}")
  @CsvSource({
      "waiting:ErrImagePull, running,      WAITING,    ,  ErrImagePull",
      "running,              waiting:ContainerCreating, WAITING, , ContainerCreating",
      "running,              running,      RUNNING,    ,  ",
      "terminated:3,         running,      RUNNING,    ,  ",
      "running,              terminated:0, RUNNING,    ,  ",
      "terminated:3,         terminated:0, TERMINATED, 3, Error",
      "terminated:0,         terminated:9, TERMINATED, 0, Completed",
      "waiting:PodInitializing, terminated:1, WAITING, , PodInitializing",
  })
  void theLowestContainerStateWins(String model, String sidecar, ContainerState expected, Integer exitCode, String reason) {
    Pod p = pod().withNewStatus().withPhase("Running")
        .addToContainerStatuses(new ContainerStatusBuilder().withName("sidecar").withState(state(sidecar)).build())
        .addToContainerStatuses(new ContainerStatusBuilder().withName("model").withState(state(model)).build())
        .endStatus().build();
    PodSnapshot s = PodSnapshots.of(p);
    assertEquals(expected, s.container());
    assertEquals(exitCode, s.exitCode());
    assertEquals(reason, s.reason());
  }
}
