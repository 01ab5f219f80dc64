package dev.tugboat.http;

import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.service.ServiceHistoryEntry;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the routes read about one service without asking its entity (node answers from the journal
 * and, for a pod that still exists, the Kubernetes gateway). Only asked for a service known to
 * exist ({@link KnownIds}); a failed stage is answered 503.
 */
public interface ServiceRecords {

  /** Every step of the service so far, oldest first. */
  CompletionStage<List<ServiceHistoryEntry>> history(ServiceId serviceId);

  /** The last {@code lines} lines of the model's log: the pod's while it exists, the stored tail after. */
  CompletionStage<LogTail> logTail(ServiceId serviceId, int lines);

  /**
   * A log tail and where it came from: {@code "pod"} (read from the pod just now) or
   * {@code "stored"} (captured when the container ended; empty when it exited 0 or has not ended),
   * with {@code reason} saying why the pod was not read (null for {@code "pod"}).
   */
  record LogTail(String source, String podName, String reason, List<String> lines) {
    public static final String POD = "pod";
    public static final String STORED = "stored";

    public LogTail {
      if (!POD.equals(source) && !STORED.equals(source)) {
        throw new IllegalArgumentException("source must be pod or stored, got " + source);
      }
      lines = List.copyOf(lines);
    }

    public static LogTail fromPod(String podName, List<String> lines) {
      return new LogTail(POD, podName, null, lines);
    }

    public static LogTail stored(String podName, String reason, List<String> lines) {
      return new LogTail(STORED, podName, reason, lines);
    }
  }
}
