package dev.tugboat.persistence;

import static dev.tugboat.persistence.HostedParts.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.HostedEvent.ReplicaFailed;
import dev.tugboat.persistence.HostedEvent.ReplicaObserved;
import dev.tugboat.persistence.HostedEvent.ReplicaStarted;
import dev.tugboat.persistence.HostedEvent.RestartFinished;
import dev.tugboat.persistence.HostedEvent.RestartStarted;
import dev.tugboat.persistence.HostedState.Existing;
import dev.tugboat.protocol.hosted.HostedStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaReplacementsTest {

  @Test
  void aFailedReplicaIsReplacedWithTheNextGenerationOnlyOnceItsBackoffIsOver() {
    Existing s = HostedParts.created("web", 2, 3);
    s = (Existing) s.apply(new ReplicaFailed("web", 1, 0, "crashed", 1, T0.plusSeconds(1), T0));
    assertTrue(ReplicaReplacements.due("web", s, T0.plusMillis(999)).isEmpty());
    assertEquals(List.of(new ReplicaStarted("web", 1, 1, T0.plusSeconds(1))),
        ReplicaReplacements.due("web", s, T0.plusSeconds(1)));
  }

  @Test
  void aRestartReplacesOneSlotAtATimeAndFinishesAfterTheLast() {
    Existing s = HostedParts.allReady(HostedParts.created("web", 2, 2), T0);
    HostedState restarting = s.apply(new RestartStarted("web", List.of(0, 1), T0));

    List<HostedEvent> first = ReplicaReplacements.restartSteps("web", restarting, T0);
    assertEquals(List.of(new ReplicaStarted("web", 0, 1, T0)), first);
    HostedState waiting = restarting.apply(first.get(0));
    assertTrue(ReplicaReplacements.restartSteps("web", waiting, T0).isEmpty(), "slot 0's new pod is not ready yet");

    HostedState slot0Ready = waiting.apply(new ReplicaObserved("web", 0, 1, HostedStatus.RUNNING, true, "10.0.0.5", T0));
    List<HostedEvent> second = ReplicaReplacements.restartSteps("web", slot0Ready, T0);
    assertEquals(List.of(new ReplicaStarted("web", 1, 1, T0)), second);

    HostedState slot1Ready = slot0Ready.apply(second.get(0))
        .apply(new ReplicaObserved("web", 1, 1, HostedStatus.RUNNING, true, "10.0.0.6", T0));
    List<HostedEvent> last = ReplicaReplacements.restartSteps("web", slot1Ready, T0);
    assertInstanceOf(RestartFinished.class, last.get(0));
    assertTrue(ReplicaReplacements.restartSteps("web", s, T0).isEmpty(), "no restart, no step");
  }
}
