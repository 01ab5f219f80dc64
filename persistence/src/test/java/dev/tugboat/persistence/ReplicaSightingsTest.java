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
import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.hosted.HostedPodNames;
import dev.tugboat.protocol.hosted.HostedStatus;
import dev.tugboat.protocol.kubernetes.HostedPods;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ReplicaSightingsTest {
  private static final ReplicaImagePulls NO_PULLS = ReplicaImagePulls.none();
  private final ReplicaSightings sightings =
      new ReplicaSightings("web", HostedParts.settings(), LoggerFactory.getLogger(ReplicaSightingsTest.class));

  @Test
  void aReadyPodIsObservedOnceAndTheSameSightingAgainChangesNothing() {
    Existing s = HostedParts.created("web", 2, 3);
    ReplicaSightings.Outcome o =
        sightings.observed(s, pod("web", 0, 0, ContainerState.RUNNING, true, null), NO_PULLS, T0);
    ReplicaObserved seen = assertInstanceOf(ReplicaObserved.class, o.events().get(0));
    assertEquals(HostedStatus.RUNNING, seen.status());
    assertTrue(seen.ready());
    assertEquals("127.0.0.10", seen.podIp());
    Existing after = (Existing) s.apply(seen);
    assertEquals(ReplicaSightings.Outcome.NONE,
        sightings.observed(after, pod("web", 0, 0, ContainerState.RUNNING, true, null), NO_PULLS, T0));
  }

  @Test
  void aStrayPodIsDeletedAndAFailedOneFailsItsReplicaWithTheBackoff() {
    Existing s = HostedParts.created("web", 2, 3);
    ReplicaSightings.Outcome stray =
        sightings.observed(s, pod("web", 7, 0, ContainerState.RUNNING, true, null), NO_PULLS, T0);
    assertEquals(List.of(HostedPodNames.podName("web", 7, 0)), stray.deletes());
    assertTrue(stray.events().isEmpty());

    ReplicaSightings.Outcome failed =
        sightings.observed(s, pod("web", 1, 0, ContainerState.TERMINATED, false, 3), NO_PULLS, T0);
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

    ReplicaSightings.Outcome early = sightings.listed(s, none, NO_PULLS, T0.plusSeconds(10));
    assertInstanceOf(ReplicaFailed.class, early.events().get(0));
    assertTrue(early.askAgain().isEmpty());

    ReplicaSightings.Outcome late = sightings.listed(s, none, NO_PULLS, T0.plusSeconds(30));
    assertEquals(List.of(1), late.askAgain().stream().map(ReplicaSet.Replica::slot).toList());
    assertEquals(ReplicaSightings.Outcome.NONE,
        sightings.listed(s, new HostedPods(false, List.of()), NO_PULLS, T0.plusSeconds(30)));
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
  void aFailedCreateFailsAReplicaSeenWaitingButNotAReadyOne() {
    Existing s = HostedParts.created("web", 2, 3);
    s = (Existing) s.apply(new ReplicaObserved("web", 0, 0, HostedStatus.PENDING, false, null, T0));
    s = (Existing) s.apply(new ReplicaObserved("web", 1, 0, HostedStatus.RUNNING, true, "10.0.0.1", T0));
    Instant at = T0.plusSeconds(1);
    ReplicaFailed f = assertInstanceOf(ReplicaFailed.class, sightings.callFailed(s,
        new PodCallResult.Failed(HostedPodNames.podName("web", 0, 0), 403, "secrets is forbidden"), at).events().get(0));
    assertEquals(0, f.slot());
    assertEquals(ReplicaSightings.Outcome.NONE, sightings.callFailed(s,
        new PodCallResult.Failed(HostedPodNames.podName("web", 1, 0), 500, "gave up"), at));
  }

  @Test
  void aPodDeletedBySomeoneElseFailsOnlyTheCurrentPodOfALiveReplica() {
    Existing s = HostedParts.created("web", 1, 1);
    assertInstanceOf(ReplicaFailed.class,
        sightings.gone(s, pod("web", 0, 0, ContainerState.RUNNING, true, null), T0).events().get(0));
    assertEquals(ReplicaSightings.Outcome.NONE, sightings.gone(s, pod("web", 0, 5, ContainerState.RUNNING, true, null), T0));
  }

  /** A replica's pod that has not pulled its image for image-pull-grace (2 min) fails, naming image and why. */
  @Test
  void aReplicaWaitingForItsImageForTheGraceFails() {
    Existing s = HostedParts.created("web", 1, 1);
    HostedPod pulling = new HostedPod(HostedPodNames.podName("web", 0, 0), "web", 0, 0, "Pending",
        ContainerState.WAITING, "ErrImagePull", "manifest unknown", false, null, null, false);
    HostedPod backOff = new HostedPod(pulling.podName(), "web", 0, 0, "Pending", ContainerState.WAITING,
        "ImagePullBackOff", "Back-off pulling image", false, null, null, false);
    ReplicaImagePulls pulls = ReplicaImagePulls.none().observed(pulling, s.replicas().livePods(), T0);
    ReplicaObserved seen = assertInstanceOf(ReplicaObserved.class,
        sightings.observed(s, pulling, pulls, T0).events().get(0));
    assertEquals(HostedStatus.PULLING, seen.status());
    Existing pullingState = (Existing) s.apply(seen);
    Instant almost = T0.plus(Duration.ofMinutes(2)).minusMillis(1);
    pulls = pulls.observed(backOff, s.replicas().livePods(), almost);
    assertEquals(ReplicaSightings.Outcome.NONE, sightings.observed(pullingState, backOff, pulls, almost));
    Instant over = T0.plus(Duration.ofMinutes(2));
    ReplicaSightings.Outcome o = sightings.listed(pullingState, new HostedPods(true, List.of(backOff)),
        pulls.observed(backOff, s.replicas().livePods(), over), over);
    ReplicaFailed f = assertInstanceOf(ReplicaFailed.class, o.events().get(0));
    assertEquals("image tugboat/echo-service:1 could not be pulled: ErrImagePull: manifest unknown", f.reason());
    assertEquals(over.plusSeconds(1), f.replaceAt(), "replaced after the first backoff");
  }
}
