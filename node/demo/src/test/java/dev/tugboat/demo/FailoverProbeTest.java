package dev.tugboat.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.demo.PodWatch.PodState;
import dev.tugboat.protocol.service.ServiceView.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rule by which bench-cluster counts a recovered service as caught up with its pod. */
class FailoverProbeTest {

  @ParameterizedTest(name = "service {0}, pod {1} before: {2}")
  @CsvSource({
      "REQUESTED,  NEVER_SEEN, true",
      "CREATING,   NEVER_SEEN, true",
      "QUEUED,     NEVER_SEEN, true",
      // The service does not know yet that its pod exists (its CreatePod answer was lost with the node).
      "CREATING,   PENDING,    false",
      "CREATING,   RUNNING,    false",
      "CREATED,    NEVER_SEEN, true",
      "CREATED,    PENDING,    true",
      "CREATED,    RUNNING,    false",
      "RUNNING,    PENDING,    true",
      "RUNNING,    RUNNING,    true",
      "RUNNING,    ENDED,      false",
      "TERMINATED, ENDED,      true",
      // Retention over and the pod gone, but the deletion not recorded yet.
      "TERMINATED, DELETED,    false",
      "DELETED,    DELETED,    true",
      "DELETED,    ENDED,      true",
      "FAILED,     NEVER_SEEN, true",
      "FAILED,     DELETED,    true",
      // A failed service whose pod runs: the pod is left unattended.
      "FAILED,     RUNNING,    false",
      "HELD,       NEVER_SEEN, true",
      "HELD,       PENDING,    false",
  })
  void aServiceMustBeAtLeastAsFarAlongAsItsPodWas(Phase phase, PodState pod, boolean caughtUp) {
    assertEquals(caughtUp, FailoverProbe.consistent(phase, pod));
  }
}
