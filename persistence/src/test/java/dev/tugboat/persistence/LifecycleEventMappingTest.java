package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.events.LifecycleEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every journal event's picture on the event stream: type, subject, phase and the end's details. */
class LifecycleEventMappingTest {

  private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");
  private static final ServiceId SVC = new ServiceId("sim-1", "m1");
  private static final ServiceSpec SPEC = new ServiceSpec("so", "sim-1", "m1", "img:1", List.of(), 1.0, "pod-1");

  /** Each event, its picture as {type, modelId, phase, status, exitCode, reason, podName}. */
  static Stream<Arguments> events() {
    return Stream.of(
        row(new SimulationEvent.SimulationDeployed("sim-1", "so", 1.0, List.of(SPEC), AT),
            null, "DEPLOYING", null, null, null, null),
        row(new SimulationEvent.DeploymentRejected("sim-1", "so", "no models", List.of("m1"), AT),
            null, "REJECTED", null, null, "no models", null),
        row(new SimulationEvent.ServiceCreateAcknowledged("sim-1", "m1", AT), "m1", "STARTING", null, null, null, null),
        row(new SimulationEvent.ModelReady("sim-1", "m1", AT), "m1", "READY", null, null, null, null),
        row(new SimulationEvent.ModelsReadyQueued("sim-1", 3, AT), null, "READY", null, null, null, null),
        row(new SimulationEvent.ModelTerminated("sim-1", "m1", TerminationStatus.FAILED, 137, "OOMKilled", 4, AT),
            "m1", "FAILED", "FAILED", 137, "OOMKilled", null),
        row(new SimulationEvent.ModelTerminated("sim-1", "m1", TerminationStatus.SUCCEEDED, 0, null, 4, AT),
            "m1", "SUCCEEDED", "SUCCEEDED", 0, null, null),
        row(new SimulationEvent.AllModelsHaveTerminatedQueued("sim-1", 5, AT), null, "ENDED", null, null, null, null),
        row(new SimulationEvent.NotificationDelivered("sim-1", 5, AT), null, null, null, null, null, null),
        row(new SimulationEvent.NotificationAbandoned("sim-1", 5, "too big", AT), null, null, null, null, "too big",
            null),
        row(new ServiceEvent.ServiceRequested(SVC, SPEC, AT), "m1", "REQUESTED", null, null, null, null),
        row(new ServiceEvent.CreationQueued(SVC, "pod-1", 2, "pod cap", AT), "m1", "QUEUED", null, null, "pod cap",
            "pod-1"),
        row(new ServiceEvent.PodCreationStarted(SVC, "pod-1", AT), "m1", "CREATING", null, null, null, "pod-1"),
        row(new ServiceEvent.PodCreated(SVC, "pod-1", AT), "m1", "CREATED", null, null, null, "pod-1"),
        row(new ServiceEvent.PodRunning(SVC, "pod-1", AT), "m1", "RUNNING", null, null, null, "pod-1"),
        row(new ServiceEvent.ServiceTerminated(SVC, "pod-1", TerminationStatus.FAILED, 1, "Error", List.of("x"), AT, AT),
            "m1", "TERMINATED", "FAILED", 1, "Error", "pod-1"),
        row(new ServiceEvent.ServiceFailed(SVC, "pod-1", "quota", 125, AT, AT), "m1", "FAILED", "FAILED", 125, "quota",
            "pod-1"),
        row(new ServiceEvent.ServiceHeld(SVC, "pod-1", "retries ran out", AT), "m1", "HELD", null, null,
            "retries ran out", "pod-1"),
        row(new ServiceEvent.HoldReleased(SVC, "pod-1", AT), "m1", "CREATING", null, null, null, "pod-1"),
        row(new ServiceEvent.SimulationNotified(SVC, true, "ok", AT), "m1", null, null, null, null, null),
        row(new ServiceEvent.SimulationNotified(SVC, false, "unknown model", AT), "m1", null, null, null,
            "unknown model", null),
        row(new ServiceEvent.PodDeleted(SVC, "pod-1", AT), "m1", "DELETED", null, null, null, "pod-1"),
        row(new ServiceEvent.PodDeletionAbandoned(SVC, "pod-1", "403", AT), "m1", null, null, null, "403", "pod-1"));
  }

  private static Arguments row(Object event, String modelId, String phase, String status, Integer exitCode,
      String reason, String podName) {
    return Arguments.of(event, modelId, phase, status, exitCode, reason, podName);
  }

  @ParameterizedTest
  @MethodSource("events")
  void picturesEachEvent(Object event, String modelId, String phase, String status, Integer exitCode, String reason,
      String podName) {
    LifecycleEvent e = event instanceof SimulationEvent s ? LifecycleEventMapping.of(s)
        : LifecycleEventMapping.of((ServiceEvent) event);
    assertEquals(new LifecycleEvent(event.getClass().getSimpleName(), "sim-1", modelId, AT, phase, status, exitCode,
        reason, podName), e);
  }

  @Test
  void everyJournalEventTypeIsPictured() {
    Set<Class<?>> covered = events().map(a -> a.get()[0].getClass()).collect(Collectors.toSet());
    Set<Class<?>> all = Stream.concat(Arrays.stream(SimulationEvent.class.getPermittedSubclasses()),
        Arrays.stream(ServiceEvent.class.getPermittedSubclasses())).collect(Collectors.toSet());
    assertEquals(all, covered);
  }

  @Test
  void anEventAboutTheSimulationNamesNoModel() {
    assertNull(LifecycleEventMapping.of(new SimulationEvent.ModelsReadyQueued("sim-1", 1, AT)).modelId());
  }
}
