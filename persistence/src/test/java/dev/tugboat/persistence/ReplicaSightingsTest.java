package dev.tugboat.persistence;

import static dev.tugboat.persistence.HostedParts.T0;
import static dev.tugboat.persistence.HostedServiceEntityTest.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.HostedEvent.ReplicaFailed;
import dev.tugboat.persistence.HostedEvent.ReplicaObserved;
import dev.tugboat.persistence.HostedState.Existing;
import dev.tugboat.protocol.hosted.HostedPodNames;
import dev.tugboat.protocol.hosted.HostedStatus;
import dev.tugboat.protocol.kubernetes.HostedPods;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ReplicaSightingsTest {
  private final ReplicaSightings sightings =
      new ReplicaSightings("web", HostedParts.settings(), LoggerFactory.getLogger(ReplicaSightingsTest.class));

  @Test
  void aReadyPodIsObservedOnceAndTheSameSightingAgainChangesNothing() {
    Existing s = HostedParts.created("web", 2, 3);
    ReplicaSightings.Outcome o = sightings.observed(s, pod("web", 0, 0, ContainerState.RUNNING, true, null), T0);
    ReplicaObserved seen = assertInstanceOf(ReplicaObserved.class, o.events().get(0));
    assertEquals(HostedStatus.RUNNING, seen.status());
    assertTrue(seen.ready());
    assertEquals("127.0.0.10", seen.podIp());
    Existing after = (Existing) s.apply(seen);
    assertEquals(ReplicaSightings.Outcome.NONE,
        sightings.observed(after, pod("web", 0, 0, ContainerState.RUNNING, true, null), T0));
  }

  @Test
  void aStrayPodIsDeletedAndAFailedOneFailsItsReplicaWithTheBackoff() {
    Existing s = HostedParts.created("web", 2, 3);
    ReplicaSightings.Outcome stray = sightings.observed(s, pod("web", 7, 0, ContainerState.RUNNING, true, null), T0);
    assertEquals(List.of(HostedPodNames.podName("web", 7, 0)), stray.deletes());
    assertTrue(stray.events().isEmpty());

    ReplicaSightings.Outcome failed = sightings.observed(s, pod("web", 1, 0, ContainerState.TERMINATED, false, 3), T0);
    ReplicaFailed f = assertInstanceOf(ReplicaFailed.class, failed.events().get(0));
    assertEquals(1, f.slot());
    assertEquals(1, f.failuresInRow());
    assertEquals(T0.plusSeconds(1), f.replaceAt());
  }

  @Test
  void theFourthFailureInARowLeavesTheReplicaFailedForGood() {
    var r = HostedParts.created("web", 1, 1).replicas().slot(0).orElseThrow();
    var withThree = new ReplicaSet.Replica(r.slot(), r.generation(), r.status(), r.ready(), r.podIp(), r.observed(),
        3, r.restarts(), r.startedAt(), r.readySince(), r.replaceAt(), r.failure(), r.givenUp());
    assertNull(sightings.failure(withThree, "crashed", T0).replaceAt());
  }

  @Test
  void theListFailsASeenPodThatIsMissingAndAsksAgainForOneNeverSeenAfterTheRetryTime() {
    Existing s = HostedParts.created("web", 2, 3);
    s = (Existing) s.apply(new ReplicaObserved("web", 0, 0, HostedStatus.RUNNING, true, "10.0.0.1", T0));
    HostedPods none = new HostedPods(true, List.of());

    ReplicaSightings.Outcome early = sightings.listed(s, none, T0.plusSeconds(10));
    assertInstanceOf(ReplicaFailed.class, early.events().get(0));
    assertTrue(early.askAgain().isEmpty());

    ReplicaSightings.Outcome late = sightings.listed(s, none, T0.plusSeconds(30));
    assertEquals(List.of(1), late.askAgain().stream().map(ReplicaSet.Replica::slot).toList());
    assertEquals(ReplicaSightings.Outcome.NONE, sightings.listed(s, new HostedPods(false, List.of()), T0.plusSeconds(30)));
  }

  @Test
  void aFailedCreateFailsTheReplicaAndAnyOtherFailedCallChangesNothing() {
    Existing s = HostedParts.created("web", 2, 3);
    Instant at = T0.plusSeconds(1);
    ReplicaSightings.Outcome create = sightings.callFailed(s,
        new PodCallResult.Failed(HostedPodNames.podName("web", 1, 0), 422, "invalid"), at);
    ReplicaFailed f = assertInstanceOf(ReplicaFailed.class, create.events().get(0));
    assertTrue(f.reason().contains("HTTP 422"), f.reason());
    assertEquals(ReplicaSightings.Outcome.NONE,
        sightings.callFailed(s, new PodCallResult.Failed("hs-web-9-g0", 500, "boom"), at));
  }

  @Test
  void aPodDeletedBySomeoneElseFailsOnlyTheCurrentPodOfALiveReplica() {
    Existing s = HostedParts.created("web", 1, 1);
    assertInstanceOf(ReplicaFailed.class,
        sightings.gone(s, pod("web", 0, 0, ContainerState.RUNNING, true, null), T0).events().get(0));
    assertEquals(ReplicaSightings.Outcome.NONE, sightings.gone(s, pod("web", 0, 5, ContainerState.RUNNING, true, null), T0));
  }
}
