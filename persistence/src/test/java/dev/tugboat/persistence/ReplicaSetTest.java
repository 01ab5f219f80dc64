package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.hosted.HostedStatus;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplicaSetTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @ParameterizedTest(name = "{0} {1} {2} ready={3} exit={4} terminating={5}: {6}")
  @CsvSource({
      "Pending, UNKNOWN, , false, , false, PENDING",
      "Pending, WAITING, ContainerCreating, false, , false, STARTING",
      "Pending, WAITING, ErrImagePull, false, , false, PULLING",
      "Pending, WAITING, ImagePullBackOff, false, , false, PULLING",
      "Running, RUNNING, , false, , false, STARTING",
      "Running, RUNNING, , true, , false, RUNNING",
      "Running, RUNNING, , true, , true, STOPPING",
      "Failed, TERMINATED, Error, false, 1, false, FAILED",
      "Succeeded, TERMINATED, Completed, false, 0, false, COMPLETE",
      "Failed, UNKNOWN, Evicted, false, , false, FAILED",
      "Running, WAITING, CrashLoopBackOff, false, , false, FAILED"})
  void aPodsStatus(String phase, ContainerState state, String reason, boolean ready, Integer exit, boolean terminating,
                   HostedStatus expected) {
    HostedPod pod = new HostedPod("p", "s", 0, 0, phase, state, reason, null, ready, "10.0.0.1", exit, terminating);
    assertEquals(expected, ReplicaSet.statusOf(pod));
  }

  @Test
  void theServicesStatusIsTheLowestAndOnlyReadyReplicasAreInTheRotation() {
    ReplicaSet set = ReplicaSet.empty("s").started(0, 0, T0).started(1, 0, T0)
        .observed(0, 0, HostedStatus.RUNNING, true, "10.0.0.1", T0)
        .observed(1, 0, HostedStatus.PULLING, false, null, T0);
    assertEquals(HostedStatus.PULLING, set.status());
    assertEquals(List.of("hs-s-0-g0"), set.ready().stream().map(r -> r.id()).toList());
    assertEquals(set, set.observed(1, 5, HostedStatus.RUNNING, true, "x", T0), "another generation changes nothing");
    ReplicaSet failed = set.failed(1, 0, "boom", 9, null);
    assertEquals(HostedStatus.FAILED, failed.status());
    assertEquals(Set.of("hs-s-0-g0"), failed.currentPods());
    assertEquals(List.of("hs-s-0-g0", "hs-s-1-g0"), failed.allPods());
    assertEquals(0, set.removed(0).freeSlot());
    assertEquals(1, set.nextGeneration(0, 0));
    assertEquals(3, set.nextGeneration(5, 3));
  }
}
