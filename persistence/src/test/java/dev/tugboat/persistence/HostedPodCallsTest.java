package dev.tugboat.persistence;

import static dev.tugboat.persistence.HostedParts.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.persistence.HostedEvent.DeletionStarted;
import dev.tugboat.persistence.HostedEvent.ReplicaFailed;
import dev.tugboat.persistence.HostedEvent.ReplicaRemoved;
import dev.tugboat.persistence.HostedEvent.ReplicaStarted;
import dev.tugboat.persistence.HostedState.Existing;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostedPodCallsTest {

  private static List<HostedPodCalls.Call> after(HostedState before, List<HostedEvent> events) {
    HostedState after = before;
    for (HostedEvent e : events) {
      after = after.apply(e);
    }
    return HostedPodCalls.after("web", before, after, events);
  }

  @Test
  void aNewGenerationIsCreatedAndTheSlotsEarlierPodDeleted() {
    Existing s = HostedParts.created("web", 1, 2);
    assertEquals(List.of(new HostedPodCalls.Create(0, 1), new HostedPodCalls.Delete("hs-web-0-g0")),
        after(s, List.of(new ReplicaStarted("web", 0, 1, T0))));
    assertEquals(List.of(new HostedPodCalls.Create(1, 0)), after(s, List.of(new ReplicaStarted("web", 1, 0, T0))));
  }

  @Test
  void failedRemovedAndDeletedPodsAreDeleted() {
    Existing s = HostedParts.created("web", 2, 2);
    assertEquals(List.of(new HostedPodCalls.Delete("hs-web-1-g0")),
        after(s, List.of(new ReplicaFailed("web", 1, 0, "crashed", 1, T0.plusSeconds(1), T0))));
    assertEquals(List.of(new HostedPodCalls.Delete("hs-web-1-g0")),
        after(s, List.of(new ReplicaRemoved("web", 1, "hs-web-1-g0", T0))));
    assertEquals(List.of(new HostedPodCalls.Delete("hs-web-0-g0"), new HostedPodCalls.Delete("hs-web-1-g0")),
        after(s, List.of(new DeletionStarted("web", List.of("hs-web-0-g0", "hs-web-1-g0"), T0))));
  }
}
