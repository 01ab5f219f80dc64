package dev.tugboat.node;

import dev.tugboat.http.ServiceRecords;
import dev.tugboat.persistence.ServiceHistories;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodLogResult;
import dev.tugboat.protocol.service.ServiceHistoryEntry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * A service's history and log for the HTTP routes, without waking its entity: the history and the
 * stored log tail from the journal ({@link ServiceHistories}); the live tail from the node's
 * Kubernetes gateway, the only path to the API server, while the journal says the pod exists.
 */
final class JournalServiceRecords implements ServiceRecords {

  private final ServiceHistories histories;
  private final ActorRef<KubernetesCommand> gateway;
  private final Duration askTimeout;
  private final Scheduler scheduler;

  JournalServiceRecords(ServiceHistories histories, ActorRef<KubernetesCommand> gateway, Duration askTimeout,
      Scheduler scheduler) {
    this.histories = histories;
    this.gateway = gateway;
    this.askTimeout = askTimeout;
    this.scheduler = scheduler;
  }

  @Override
  public CompletionStage<List<ServiceHistoryEntry>> history(ServiceId serviceId) {
    return histories.history(serviceId);
  }

  @Override
  public CompletionStage<LogTail> logTail(ServiceId serviceId, int lines) {
    return histories.storedLog(serviceId).thenCompose(stored -> tail(stored, lines, gateway, askTimeout, scheduler));
  }

  /**
   * The pod's last {@code lines} lines when the journal says the pod may exist and the gateway reads
   * them; otherwise the stored tail, cut to {@code lines}, with why the pod was not read. A gateway
   * that does not answer within {@code timeout} fails the stage.
   */
  static CompletionStage<LogTail> tail(ServiceHistories.StoredLog stored, int lines,
      ActorRef<KubernetesCommand> gateway, Duration timeout, Scheduler scheduler) {
    if (stored.podName() == null || !stored.podMayExist()) {
      String why = stored.podName() == null ? "the service has no pod" : "the pod does not exist";
      return CompletableFuture.completedFuture(LogTail.stored(stored.podName(), why, last(stored.lines(), lines)));
    }
    return AskPattern.<KubernetesCommand, PodLogResult>ask(gateway,
            replyTo -> new KubernetesCommand.ReadPodLog(stored.podName(), lines, replyTo), timeout, scheduler)
        .thenApply(result -> result instanceof PodLogResult.Lines read
            ? LogTail.fromPod(stored.podName(), last(read.lines(), lines))
            : LogTail.stored(stored.podName(), "pod log unavailable: " + ((PodLogResult.Unavailable) result).reason(),
                last(stored.lines(), lines)));
  }

  private static List<String> last(List<String> lines, int n) {
    return lines.size() <= n ? lines : lines.subList(lines.size() - n, lines.size());
  }
}
