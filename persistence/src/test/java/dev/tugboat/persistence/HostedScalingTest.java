package dev.tugboat.persistence;

import static dev.tugboat.persistence.HostedParts.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.HostedEvent.ReplicaRemoved;
import dev.tugboat.persistence.HostedEvent.ReplicaStarted;
import dev.tugboat.persistence.HostedEvent.Scaled;
import dev.tugboat.persistence.HostedState.Existing;
import dev.tugboat.protocol.hosted.HostedCommand.ReportLoad;
import dev.tugboat.protocol.hosted.HostedPodNames;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostedScalingTest {
  private final HostedSettings settings = HostedParts.settings();

  private static ReportLoad busy(int perPod) {
    return new ReportLoad("node-1", Map.of(HostedPodNames.podName("web", 0, 0), perPod,
        HostedPodNames.podName("web", 1, 0), perPod));
  }

  @Test
  void twoHighReportsOverReadyReplicasAskForOneMoreInTheNextFreeSlot() {
    Existing s = HostedParts.allReady(HostedParts.created("web", 2, 3), T0);
    HostedScaling.Step first = HostedScaling.startingAt(T0).reported("web", s, busy(5), T0, settings);
    assertTrue(first.events().isEmpty());
    HostedScaling.Step second = first.next().reported("web", s, busy(5), T0.plusSeconds(1), settings);
    Scaled up = assertInstanceOf(Scaled.class, second.events().get(0));
    assertEquals(3, up.replicas());
    assertEquals(new ReplicaStarted("web", 2, 0, T0.plusSeconds(1)), second.events().get(1));
    assertTrue(second.next().reported("web", s, busy(5), T0.plusSeconds(2), settings).events().isEmpty(),
        "a scale-up starts the count again");
  }

  @Test
  void noneMoreWhileAWantedReplicaIsNotReady() {
    Existing s = HostedParts.created("web", 2, 3);
    HostedScaling.Step step = HostedScaling.startingAt(T0).reported("web", s, busy(5), T0, settings);
    assertTrue(step.next().reported("web", s, busy(5), T0, settings).events().isEmpty());
  }

  @Test
  void idleAboveMinScalesDownToMinRemovingTheHighestSlots() {
    Existing s = HostedParts.allReady(HostedParts.created("web", 1, 3), T0);
    HostedState three = s.apply(new Scaled("web", 3, "load", T0)).apply(new ReplicaStarted("web", 1, 0, T0))
        .apply(new ReplicaStarted("web", 2, 0, T0));
    HostedScaling scaling = HostedScaling.startingAt(T0);
    Instant idle = T0.plus(s.spec().idleTimeout());
    assertTrue(scaling.idleScaleDown("web", three, idle.minusSeconds(1)).isEmpty());
    List<HostedEvent> down = scaling.idleScaleDown("web", three, idle);
    assertEquals(1, assertInstanceOf(Scaled.class, down.get(0)).replicas());
    assertEquals(List.of(1, 2), down.subList(1, down.size()).stream().map(e -> ((ReplicaRemoved) e).slot()).toList());
    assertTrue(scaling.idleScaleDown("web", s, idle).isEmpty(), "at min already");
  }
}
