package dev.tugboat.persistence;

import dev.tugboat.persistence.ServiceEvent.ServiceFailed;
import dev.tugboat.persistence.ServiceEvent.ServiceTerminated;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** How a service's end is written: the ending events, their reasons and exit codes, and the pod's deletion deadline. */
final class ServiceEndings {
  /** Retention is capped so a huge keepLogsHours cannot overflow Instant. */
  static final Duration MAX_RETENTION = Duration.ofDays(3650);

  private ServiceEndings() {}

  /** The container ended with {@code exitCode}; the pod's reason and message become the ending's reason. */
  static ServiceTerminated exited(ServiceSpec spec, PodSnapshot pod, int exitCode, List<String> lastLogLines,
      Instant now) {
    return new ServiceTerminated(spec.serviceId(), spec.podName(), TerminationStatus.ofExitCode(exitCode), exitCode,
        describe(pod), lastLogLines, deleteAt(spec, now), now);
  }

  /** The pod was lost before its container ended (deleted early, or on a lost node): FAILED, 127. */
  static ServiceTerminated lost(ServiceSpec spec, String reason, Instant now) {
    return new ServiceTerminated(spec.serviceId(), spec.podName(), TerminationStatus.FAILED, ExitCodes.POD_LOST,
        reason, List.of(), deleteAt(spec, now), now);
  }

  /**
   * An operator terminated the simulation before the model ended: FAILED, {@link ExitCodes#TERMINATED},
   * and the pod (if any) deleted at once, whatever keepLogsHours says.
   */
  static ServiceTerminated terminated(ServiceSpec spec, String reason, Instant now) {
    return new ServiceTerminated(spec.serviceId(), spec.podName(), TerminationStatus.FAILED, ExitCodes.TERMINATED,
        reason, List.of(), now, now);
  }

  /** The pod's container never started, its image could not be pulled: FAILED, 200. */
  static ServiceFailed imageNotPulled(ServiceSpec spec, String reason, Instant now) {
    return new ServiceFailed(spec.serviceId(), spec.podName(), reason, ExitCodes.IMAGE_NOT_PULLED,
        deleteAt(spec, now), now);
  }

  /** The pod could not be created (or an operator abandoned the creation): FAILED, 125. */
  static ServiceFailed notCreated(ServiceSpec spec, String reason, Instant now) {
    return new ServiceFailed(spec.serviceId(), spec.podName(), reason, ExitCodes.POD_NOT_CREATED,
        deleteAt(spec, now), now);
  }

  /** The reason of a pod deleted before its container ended. */
  static String goneEarly(boolean finalStateUnknown) {
    return "pod deleted before its container terminated" + (finalStateUnknown ? " (final state unknown)" : "");
  }

  /** The container's exit code, or 127 (pod lost) when the snapshot has none. */
  static int exitCode(PodSnapshot pod) {
    return pod.exitCode() == null ? ExitCodes.POD_LOST : pod.exitCode();
  }

  /** The pod's reason and message, joined by ": " ("" when it has neither). */
  static String describe(PodSnapshot pod) {
    return describe(pod.reason(), pod.message());
  }

  /** A container's reason and message as one text: "reason: message", either alone, or "". */
  static String describe(String reason, String message) {
    String text = reason == null ? "" : reason;
    if (message != null && !message.isBlank()) {
      text = text.isEmpty() ? message : text + ": " + message;
    }
    return text;
  }

  /** When the pod of a service ending at {@code now} is deleted: keepLogsHours later, at once when not positive. */
  static Instant deleteAt(ServiceSpec spec, Instant now) {
    double hours = spec.keepLogsHours();
    if (!Double.isFinite(hours) || hours <= 0) {
      return now;
    }
    double millis = hours * 3_600_000d;
    return millis >= MAX_RETENTION.toMillis() ? now.plus(MAX_RETENTION) : now.plusMillis((long) millis);
  }
}
