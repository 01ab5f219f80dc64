package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.ServiceEvent.CreationQueued;
import dev.tugboat.persistence.ServiceEvent.HoldReleased;
import dev.tugboat.persistence.ServiceEvent.PodCreated;
import dev.tugboat.persistence.ServiceEvent.PodCreationStarted;
import dev.tugboat.persistence.ServiceEvent.PodDeleted;
import dev.tugboat.persistence.ServiceEvent.PodDeletionAbandoned;
import dev.tugboat.persistence.ServiceEvent.PodRunning;
import dev.tugboat.persistence.ServiceEvent.ServiceFailed;
import dev.tugboat.persistence.ServiceEvent.ServiceHeld;
import dev.tugboat.persistence.ServiceEvent.ServiceRequested;
import dev.tugboat.persistence.ServiceEvent.ServiceTerminated;
import dev.tugboat.persistence.ServiceEvent.SimulationNotified;
import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceHistoryEntry;
import dev.tugboat.protocol.service.ServiceHistoryEntry.Type;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ServiceHistoryMappingTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final ServiceSpec SPEC = ServiceSpec.of("so", "sim", new ModelSpec("m0", "img:1", List.of()), 1);
  private static final ServiceId ID = SPEC.serviceId();
  private static final String POD = SPEC.podName();

  private static Instant t(int seconds) {
    return T0.plusSeconds(seconds);
  }

  private static final List<ServiceEvent> ENDED = List.of(
      new ServiceRequested(ID, SPEC, t(0)),
      new PodCreationStarted(ID, POD, t(0)),
      new CreationQueued(ID, POD, 3, "pod cap reached", t(1)),
      new PodCreated(ID, POD, t(2)),
      new PodRunning(ID, POD, t(3)),
      new ServiceTerminated(ID, POD, TerminationStatus.FAILED, 2, "Error", List.of("a", "b"), t(3600), t(10)),
      new SimulationNotified(ID, true, "", t(10)),
      new PodDeleted(ID, POD, t(3600)));

  @Test
  void everyServiceEventIsOneEntryInJournalOrderWithItsDetails() {
    List<ServiceHistoryEntry> entries = ServiceHistoryMapping.entries(ENDED, List.of(), "m0");
    assertEquals(List.of(Type.REQUESTED, Type.CREATING, Type.QUEUED, Type.CREATED, Type.RUNNING, Type.TERMINATED,
        Type.REPORTED, Type.DELETED), entries.stream().map(ServiceHistoryEntry::type).toList());
    assertEquals(ServiceHistoryEntry.of(t(0), Type.REQUESTED, POD), entries.get(0));
    assertEquals(new ServiceHistoryEntry(t(1), Type.QUEUED, POD, 3, null, null, "pod cap reached", null),
        entries.get(2));
    assertEquals(new ServiceHistoryEntry(t(10), Type.TERMINATED, POD, null, TerminationStatus.FAILED, 2, "Error", null),
        entries.get(5));
    assertEquals(new ServiceHistoryEntry(t(10), Type.REPORTED, null, null, null, null, null, true), entries.get(6));
  }

  @Test
  void holdsRetriesFailuresRefusalsAndAbandonedDeletionsKeepTheirReasons() {
    List<ServiceHistoryEntry> entries = ServiceHistoryMapping.entries(List.of(
        new ServiceHeld(ID, POD, "no answer to 5 CreatePod attempts", t(1)),
        new HoldReleased(ID, POD, t(2)),
        new ServiceFailed(ID, POD, "abandoned by operator: bad image", ExitCodes.POD_NOT_CREATED, t(3), t(3)),
        new SimulationNotified(ID, false, "unknown model", t(4)),
        new PodDeletionAbandoned(ID, POD, "HTTP 500", t(5))), List.of(), "m0");
    assertEquals(List.of(
        new ServiceHistoryEntry(t(1), Type.HELD, POD, null, null, null, "no answer to 5 CreatePod attempts", null),
        ServiceHistoryEntry.of(t(2), Type.RETRIED, POD),
        new ServiceHistoryEntry(t(3), Type.FAILED, POD, null, TerminationStatus.FAILED, ExitCodes.POD_NOT_CREATED,
            "abandoned by operator: bad image", null),
        new ServiceHistoryEntry(t(4), Type.REPORTED, null, null, null, null, "unknown model", false),
        new ServiceHistoryEntry(t(5), Type.DELETION_ABANDONED, POD, null, null, null, "HTTP 500", null)), entries);
  }

  @Test
  void readyOfThisModelFallsWhereItsTimeDoesOthersAreLeftOut() {
    List<SimulationEvent> simulation = List.of(
        new ModelReady("sim", "m1", t(4)),
        new ModelReady("sim", "m0", t(5)),
        new SimulationEvent.ModelsReadyQueued("sim", 1, t(5)));
    List<Type> types = ServiceHistoryMapping.entries(ENDED, simulation, "m0").stream()
        .map(ServiceHistoryEntry::type).toList();
    assertEquals(List.of(Type.REQUESTED, Type.CREATING, Type.QUEUED, Type.CREATED, Type.RUNNING, Type.READY,
        Type.TERMINATED, Type.REPORTED, Type.DELETED), types);
  }

  @Test
  void readyAtTheSameInstantAsAServiceStepGoesAfterRunningAndBeforeTermination() {
    List<ServiceEvent> sameInstant = List.of(
        new ServiceRequested(ID, SPEC, t(0)),
        new PodRunning(ID, POD, t(1)),
        new ServiceTerminated(ID, POD, TerminationStatus.FAILED, 2, "Error", List.of(), t(1), t(1)));
    List<Type> types = ServiceHistoryMapping.entries(sameInstant, List.of(new ModelReady("sim", "m0", t(1))), "m0")
        .stream().map(ServiceHistoryEntry::type).toList();
    assertEquals(List.of(Type.REQUESTED, Type.RUNNING, Type.READY, Type.TERMINATED), types);
  }

  @Test
  void everyKindOfServiceEventHasAnEntry() {
    Set<String> mapped = Arrays.stream(ServiceEvent.class.getPermittedSubclasses()).map(Class::getSimpleName)
        .collect(Collectors.toSet());
    Set<String> covered = List.of(ENDED, List.<ServiceEvent>of(
            new ServiceHeld(ID, POD, "r", t(1)), new HoldReleased(ID, POD, t(2)),
            new ServiceFailed(ID, POD, "r", 125, t(3), t(3)), new PodDeletionAbandoned(ID, POD, "r", t(5))))
        .stream().flatMap(List::stream).map(e -> e.getClass().getSimpleName()).collect(Collectors.toSet());
    assertEquals(mapped, covered, "a new ServiceEvent needs a history entry type and a case here");
  }

  @Test
  void theStoredLogIsTheTailCapturedAtTheEndAndThePodExistsUntilDeleted() {
    ServiceHistories.StoredLog running = ServiceHistoryMapping.storedLog(ENDED.subList(0, 5));
    assertEquals(POD, running.podName());
    assertTrue(running.podMayExist());
    assertEquals(List.of(), running.lines());

    ServiceHistories.StoredLog ended = ServiceHistoryMapping.storedLog(ENDED.subList(0, 7));
    assertTrue(ended.podMayExist(), "the pod is kept for keepLogsHours after the end");
    assertEquals(List.of("a", "b"), ended.lines());

    ServiceHistories.StoredLog deleted = ServiceHistoryMapping.storedLog(ENDED);
    assertFalse(deleted.podMayExist());
    assertEquals(List.of("a", "b"), deleted.lines());

    assertFalse(ServiceHistoryMapping.storedLog(ENDED.subList(0, 3)).podMayExist(), "not created yet");
  }
}
