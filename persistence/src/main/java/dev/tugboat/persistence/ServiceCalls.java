package dev.tugboat.persistence;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodLogResult;
import dev.tugboat.protocol.kubernetes.PodLookupResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The calls a service makes: to the KubernetesGateway (create, look up, read the log of and delete
 * its pod) and to its simulation (report how the model ended). Each comes back to the service as
 * one of the answers declared here, a timed-out ask too. Holds no state: whether a call may go out
 * is for the entity's parts to decide. Used only by its ServiceEntity's actor.
 */
final class ServiceCalls {

  /** The gateway's final answer to CreatePod. */
  record CreatePodReplied(PodCallResult result) implements ServiceCommand.Private, CborSerializable {}

  /** The gateway's final answer to DeletePod (failure set when the ask timed out). */
  record DeleteReplied(PodCallResult result, String failure) implements ServiceCommand.Private, CborSerializable {}

  /** The log tail of a terminated container was read (lines empty when unavailable). */
  record LogRead(PodSnapshot pod, List<String> lines, String unavailable)
      implements ServiceCommand.Private, CborSerializable {}

  /** Answer to a LookupPod (failure set when the ask timed out). */
  record LookupReplied(PodLookupResult result, String failure) implements ServiceCommand.Private, CborSerializable {}

  /** The simulation's answer to ReportServiceTerminated (failure set when the ask timed out). */
  record ReportReplied(CommandReply reply, String failure) implements ServiceCommand.Private, CborSerializable {}

  private final ServiceId serviceId;
  private final ActorContext<ServiceCommand> ctx;
  private final ActorRef<KubernetesCommand> gateway;
  private final EntityDirectory directory;
  private final EntitySettings settings;
  private final ActorRef<PodCallResult> createAdapter;

  ServiceCalls(ServiceId serviceId, ActorContext<ServiceCommand> ctx, ActorRef<KubernetesCommand> gateway,
      EntityDirectory directory, EntitySettings settings) {
    this.serviceId = serviceId;
    this.ctx = ctx;
    this.gateway = gateway;
    this.directory = directory;
    this.settings = settings;
    this.createAdapter = ctx.messageAdapter(PodCallResult.class, CreatePodReplied::new);
  }

  /**
   * A tell through a message adapter, not an ask: every answer reaches the service, interim Queued
   * notices and the final one; a gateway that stays silent is the CreateClock's to notice.
   */
  void createPod(ServiceSpec spec) {
    gateway.tell(new KubernetesCommand.CreatePod(spec, createAdapter));
  }

  void lookupPod(String podName) {
    ctx.ask(PodLookupResult.class, gateway, settings.askTimeout(),
        replyTo -> new KubernetesCommand.LookupPod(podName, replyTo),
        (result, failure) -> new LookupReplied(result, failure == null ? null : String.valueOf(failure.getMessage())));
  }

  /** The last log-tail-lines lines of the ended container of {@code pod}. */
  void readLog(PodSnapshot pod) {
    ctx.ask(PodLogResult.class, gateway, settings.askTimeout(),
        replyTo -> new KubernetesCommand.ReadPodLog(pod.podName(), settings.logTailLines(), replyTo),
        (result, failure) -> {
          if (result instanceof PodLogResult.Lines l) {
            return new LogRead(pod, l.lines(), null);
          }
          String why = result instanceof PodLogResult.Unavailable u ? u.reason()
              : "no answer: " + (failure == null ? "" : failure.getMessage());
          return new LogRead(pod, List.of(), why);
        });
  }

  /**
   * An ask timing out after create-retry-after, not a second adapter: adapters are keyed by message
   * class, and a late CreatePod answer must never be taken for the deletion's.
   */
  void deletePod(String podName) {
    ctx.ask(PodCallResult.class, gateway, settings.createRetryAfter(),
        replyTo -> new KubernetesCommand.DeletePod(podName, replyTo),
        (result, failure) -> new DeleteReplied(result, failure == null ? null : "no answer: " + failure.getMessage()));
  }

  /** ReportServiceTerminated to the simulation, with how the model ended. */
  void reportEnd(ServiceState.Ending e) {
    ctx.ask(CommandReply.class, directory.simulation(serviceId.simulationId()), settings.askTimeout(),
        replyTo -> new SimulationCommand.ReportServiceTerminated(serviceId.modelId(), e.status(), e.exitCode(),
            e.reason(), replyTo),
        (reply, failure) -> new ReportReplied(reply, failure == null ? null : String.valueOf(failure.getMessage())));
  }
}
