package dev.tugboat.persistence;

import static dev.tugboat.persistence.HostedParts.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.hosted.HostedPodNames;
import dev.tugboat.protocol.kubernetes.HostedPods;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplicaImagePullsTest {
  private static final Duration GRACE = Duration.ofMinutes(2);
  private static final Set<String> WANTED = Set.of(HostedPodNames.podName("web", 0, 0),
      HostedPodNames.podName("web", 1, 0), HostedPodNames.podName("web", 2, 0));

  private static HostedPod pod(int slot, ContainerState state, String reason, boolean terminating) {
    return new HostedPod(HostedPodNames.podName("web", slot, 0), "web", slot, 0, "Pending", state, reason,
        reason == null ? null : "about " + reason, false, null, null, terminating);
  }

  @Test
  void theGraceRunsPerPodFromItsFirstPullProblem() {
    ReplicaImagePulls pulls = ReplicaImagePulls.none()
        .observed(pod(0, ContainerState.WAITING, "ErrImagePull", false), WANTED, T0)
        .observed(pod(1, ContainerState.WAITING, "InvalidImageName", false), WANTED, T0.plusSeconds(30))
        .observed(pod(0, ContainerState.WAITING, "ImagePullBackOff", false), WANTED, T0.plusSeconds(60));
    String p0 = HostedPodNames.podName("web", 0, 0);
    String p1 = HostedPodNames.podName("web", 1, 0);
    assertTrue(pulls.overGrace(p0, T0.plus(GRACE).minusMillis(1), GRACE).isEmpty());
    assertEquals("image img could not be pulled: ErrImagePull: about ErrImagePull",
        pulls.overGrace(p0, T0.plus(GRACE), GRACE).orElseThrow().reason("img"));
    assertTrue(pulls.overGrace(p1, T0.plus(GRACE), GRACE).isEmpty(), "pod 1 started waiting 30 s later");
    assertTrue(pulls.overGrace(p1, T0.plus(GRACE).plusSeconds(30), GRACE).isPresent());
  }

  @Test
  void anotherStateTerminatingOrNotListedForgetsThePod() {
    ReplicaImagePulls pulls = ReplicaImagePulls.none()
        .observed(pod(0, ContainerState.WAITING, "ErrImagePull", false), WANTED, T0)
        .observed(pod(1, ContainerState.WAITING, "ErrImagePull", false), WANTED, T0)
        .observed(pod(2, ContainerState.WAITING, "ErrImagePull", false), WANTED, T0);
    assertEquals(3, pulls.byPod().size());
    assertSame(pulls, pulls.observed(pod(0, ContainerState.WAITING, "ImagePullBackOff", false), WANTED, T0.plusSeconds(5)));
    ReplicaImagePulls fewer = pulls.observed(pod(0, ContainerState.RUNNING, null, false), WANTED, T0.plusSeconds(5))
        .observed(pod(1, ContainerState.WAITING, "ImagePullBackOff", true), WANTED, T0.plusSeconds(5));
    assertEquals(Set.of(HostedPodNames.podName("web", 2, 0)), fewer.byPod().keySet());
    assertFalse(fewer.of(HostedPodNames.podName("web", 0, 0)).waiting());
    assertTrue(pulls.listed(new HostedPods(true, List.of(pod(1, ContainerState.WAITING, "ErrImagePull", false))),
        WANTED, T0.plusSeconds(5)).byPod().keySet().equals(Set.of(HostedPodNames.podName("web", 1, 0))));
    assertSame(pulls, pulls.listed(new HostedPods(false, List.of()), WANTED, T0.plusSeconds(5)), "unsynced: says nothing");
    assertEquals(Set.of(HostedPodNames.podName("web", 2, 0)),
        pulls.retain(Set.of(HostedPodNames.podName("web", 2, 0), "other")).byPod().keySet());
  }

  @Test
  void aPodTheServiceDoesNotWantIsNotWatched() {
    ReplicaImagePulls pulls = ReplicaImagePulls.none()
        .observed(pod(0, ContainerState.WAITING, "ErrImagePull", false), WANTED, T0);
    Set<String> onlyPod1 = Set.of(HostedPodNames.podName("web", 1, 0));
    assertTrue(ReplicaImagePulls.none().observed(pod(0, ContainerState.WAITING, "ErrImagePull", false), onlyPod1, T0)
        .byPod().isEmpty(), "a stray or replaced pod is not watched");
    assertTrue(pulls.observed(pod(0, ContainerState.WAITING, "ImagePullBackOff", false), onlyPod1, T0.plusSeconds(5))
        .byPod().isEmpty(), "a pod no longer wanted leaves the watch");
    assertEquals(onlyPod1, ReplicaImagePulls.none().listed(new HostedPods(true, List.of(
        pod(0, ContainerState.WAITING, "ErrImagePull", false), pod(1, ContainerState.WAITING, "ErrImagePull", false))),
        onlyPod1, T0).byPod().keySet());
  }
}
