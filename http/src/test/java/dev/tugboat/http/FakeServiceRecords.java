package dev.tugboat.http;

import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceHistoryEntry;
import dev.tugboat.protocol.service.ServiceHistoryEntry.Type;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Service records standing in for the journal and the gateway: {@code sim-1/model-a} runs (its
 * log comes from the pod), {@code sim-1/model-b} ended with exit 3 and its pod is deleted (its log
 * is the stored tail); services of a simulation whose id starts with "silent" never answer, models
 * whose id starts with "failing" fail.
 * Every read is recorded with the tail asked for.
 */
final class FakeServiceRecords implements ServiceRecords {

  static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
  static final List<String> POD_LOG = List.of("booting", "MQTT_HOST: broker", "ready", "step 1", "step 2");
  static final List<String> STORED_LOG = List.of("starting", "boom");

  static final List<ServiceHistoryEntry> ENDED = List.of(
      ServiceHistoryEntry.of(T0, Type.REQUESTED, "so-1-sim-1-model-b"),
      ServiceHistoryEntry.of(T0.plusMillis(10), Type.CREATING, "so-1-sim-1-model-b"),
      new ServiceHistoryEntry(T0.plusMillis(20), Type.QUEUED, "so-1-sim-1-model-b", 2, null, null, "pod cap 10 reached",
          null),
      ServiceHistoryEntry.of(T0.plusSeconds(1), Type.CREATED, "so-1-sim-1-model-b"),
      ServiceHistoryEntry.of(T0.plusSeconds(2), Type.RUNNING, "so-1-sim-1-model-b"),
      ServiceHistoryEntry.of(T0.plusSeconds(3), Type.READY, null),
      new ServiceHistoryEntry(T0.plusSeconds(60), Type.TERMINATED, "so-1-sim-1-model-b", null, TerminationStatus.FAILED,
          3, "Error", null),
      new ServiceHistoryEntry(T0.plusSeconds(60), Type.REPORTED, null, null, null, null, null, true),
      ServiceHistoryEntry.of(T0.plusSeconds(120), Type.DELETED, "so-1-sim-1-model-b"));

  /** "entityId history" or "entityId tail=N", one per read. */
  final List<String> reads = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<List<ServiceHistoryEntry>> history(ServiceId serviceId) {
    reads.add(serviceId.entityId() + " history");
    return answer(serviceId, serviceId.modelId().equals("model-b") ? ENDED : ENDED.subList(0, 5));
  }

  @Override
  public CompletionStage<LogTail> logTail(ServiceId serviceId, int lines) {
    reads.add(serviceId.entityId() + " tail=" + lines);
    LogTail tail = serviceId.modelId().equals("model-b")
        ? LogTail.stored("so-1-sim-1-model-b", "the pod does not exist", last(STORED_LOG, lines))
        : LogTail.fromPod("so-1-sim-1-" + serviceId.modelId(), last(POD_LOG, lines));
    return answer(serviceId, tail);
  }

  private static <T> CompletionStage<T> answer(ServiceId serviceId, T value) {
    if (serviceId.simulationId().startsWith("silent")) {
      return new CompletableFuture<>();
    }
    if (serviceId.modelId().startsWith("failing")) {
      return CompletableFuture.failedFuture(new IllegalStateException("journal read failed"));
    }
    return CompletableFuture.completedFuture(value);
  }

  private static List<String> last(List<String> lines, int n) {
    return lines.size() <= n ? lines : lines.subList(lines.size() - n, lines.size());
  }
}
