package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.persistence.ServiceEvent.ServiceFailed;
import dev.tugboat.persistence.ServiceEvent.ServiceTerminated;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceEndingsTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private static ServiceSpec spec(double keepLogsHours) {
    return ServiceSpec.of("so", "sim", new ModelSpec("m0", "img:1", List.of()), keepLogsHours);
  }

  private static PodSnapshot ended(Integer exitCode, String reason, String message) {
    return new PodSnapshot("p", null, "Failed", PodSnapshot.ContainerState.TERMINATED, exitCode, reason, message,
        false);
  }

  @ParameterizedTest(name = "keepLogsHours {0}: deleted after {1} s")
  @CsvSource({"1.5, 5400", "0, 0", "-2, 0", "NaN, 0", "Infinity, 0", "1e12, 315360000"})
  void thePodIsDeletedKeepLogsHoursAfterTheEndCappedAtTenYears(double hours, long seconds) {
    assertEquals(T0.plus(Duration.ofSeconds(seconds)), ServiceEndings.deleteAt(spec(hours), T0));
  }

  @ParameterizedTest(name = "reason {0} message {1}: \"{2}\"")
  @CsvSource(nullValues = "null", value = {
      "Error, null, Error",
      "Error, out of memory, 'Error: out of memory'",
      "null, out of memory, out of memory",
      "Error, '  ', Error",
      "null, null, ''"})
  void theReasonJoinsThePodsReasonAndMessage(String reason, String message, String expected) {
    assertEquals(expected, ServiceEndings.describe(ended(1, reason, message)));
  }

  @Test
  void anExitIsWrittenWithItsStatusReasonLinesAndDeadline() {
    ServiceTerminated e = ServiceEndings.exited(spec(1), ended(2, "Error", null), 2, List.of("boom"), T0);
    assertEquals(new ServiceTerminated(spec(1).serviceId(), spec(1).podName(), TerminationStatus.FAILED, 2, "Error",
        List.of("boom"), T0.plus(Duration.ofHours(1)), T0), e);
    assertEquals(TerminationStatus.SUCCEEDED,
        ServiceEndings.exited(spec(1), ended(0, null, null), 0, List.of(), T0).status());
  }

  @Test
  void aLostPodIs127AndAnUncreatedOne125() {
    ServiceTerminated lost = ServiceEndings.lost(spec(0), ServiceEndings.goneEarly(true), T0);
    assertEquals(ExitCodes.POD_LOST, lost.exitCode());
    assertEquals(TerminationStatus.FAILED, lost.status());
    assertEquals("pod deleted before its container terminated (final state unknown)", lost.reason());
    assertEquals(T0, lost.deleteAt());
    ServiceFailed failed = ServiceEndings.notCreated(spec(0), "refused", T0);
    assertEquals(ExitCodes.POD_NOT_CREATED, failed.exitCode());
    assertEquals("refused", failed.reason());
  }

  @Test
  void aSnapshotWithoutExitCodeCountsAsLost() {
    assertEquals(ExitCodes.POD_LOST, ServiceEndings.exitCode(ended(null, null, null)));
    assertEquals(3, ServiceEndings.exitCode(ended(3, null, null)));
  }
}
