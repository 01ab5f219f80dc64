package dev.tugboat.node;

import com.typesafe.config.Config;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.hosted.HostedReply;
import dev.tugboat.protocol.kubernetes.OwnPods;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceReply;
import dev.tugboat.protocol.service.ServiceView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Takes back this deployment's own pods that no live service owns (Arvados' stale-lock fixer is
 * the model). One per cluster (a singleton), it periodically lists the pods carrying this
 * deployment's ownership label from the gateway's informer cache and asks each pod's service:
 * a pod whose service does not exist is deleted only after it has been seen orphaned for
 * {@code orphan-grace}; a pod whose service is already DELETED (its own deletion was abandoned)
 * is deleted at once. A hosted service's pod is deleted after the same grace when no hosted
 * service of its name exists. Pods of other deployments are never listed, so never touched. Services
 * that exist delete their pods themselves at their persisted deadline.
 */
final class OwnPodReconciler {

  /** Messages of the reconciler. */
  sealed interface Command {}

  private enum Tick implements Command { INSTANCE }

  private record Listed(OwnPods pods) implements Command {}

  private record Checked(PodSnapshot pod, ServiceReply reply) implements Command {}

  private record Deleted(PodCallResult result) implements Command {}

  private record HostedChecked(HostedPod pod, HostedReply reply) implements Command {}

  /** The reconciler's settings, from {@code tugboat.reconciler}. */
  record Settings(Duration interval, Duration orphanGrace, Duration askTimeout) {
    static Settings fromConfig(Config config) {
      Config c = config.getConfig("tugboat.reconciler");
      return new Settings(c.getDuration("interval"), c.getDuration("orphan-grace"), c.getDuration("ask-timeout"));
    }
  }

  private final ActorContext<Command> ctx;
  private final ActorRef<KubernetesCommand> gateway;
  private final EntityDirectory directory;
  private final Settings settings;
  private final Clock clock;
  private final Map<String, Instant> orphanSince = new HashMap<>();

  private OwnPodReconciler(ActorContext<Command> ctx, ActorRef<KubernetesCommand> gateway, EntityDirectory directory,
      Settings settings, Clock clock) {
    this.ctx = ctx;
    this.gateway = gateway;
    this.directory = directory;
    this.settings = settings;
    this.clock = clock;
  }

  /** Runs the reconciler as a cluster singleton; each node offers its own gateway for it. */
  static void init(ActorSystem<?> system, ActorRef<KubernetesCommand> gateway, EntityDirectory directory,
      Settings settings) {
    ClusterSingleton.get(system).init(
        SingletonActor.of(create(gateway, directory, settings, Clock.systemUTC()), "own-pod-reconciler"));
  }

  static Behavior<Command> create(ActorRef<KubernetesCommand> gateway, EntityDirectory directory, Settings settings,
      Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
      return new OwnPodReconciler(ctx, gateway, directory, settings, clock).behavior();
    }));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, () -> {
          gateway.tell(new KubernetesCommand.ListOwnPods(ctx.messageAdapter(OwnPods.class, Listed::new)));
          return Behaviors.same();
        })
        .onMessage(Listed.class, this::onListed)
        .onMessage(Checked.class, this::onChecked)
        .onMessage(HostedChecked.class, this::onHostedChecked)
        .onMessage(Deleted.class, d -> {
          if (d.result() instanceof PodCallResult.Failed f) {
            ctx.getLog().warn("reconciler: deleting pod {} failed ({}); trying again next round", f.podName(), f.reason());
          }
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onListed(Listed listed) {
    if (!listed.pods().synced()) {
      ctx.getLog().debug("reconciler: the pod watch is not synced; skipping this round");
      return Behaviors.same();
    }
    Set<String> present = listed.pods().pods().stream().map(PodSnapshot::podName)
        .collect(Collectors.toCollection(java.util.HashSet::new));
    listed.pods().hosted().forEach(p -> present.add(p.podName()));
    orphanSince.keySet().retainAll(present);
    for (PodSnapshot pod : listed.pods().pods()) {
      ctx.ask(ServiceReply.class, directory.service(pod.serviceId()), settings.askTimeout(), ServiceCommand.Get::new,
          (reply, failure) -> new Checked(pod, reply));
    }
    for (HostedPod pod : listed.pods().hosted()) {
      ctx.ask(HostedReply.class, directory.hostedService(pod.service()), settings.askTimeout(), HostedCommand.Get::new,
          (reply, failure) -> new HostedChecked(pod, reply));
    }
    return Behaviors.same();
  }

  /**
   * A hosted service's pod whose service does not exist is deleted after orphan-grace; one whose
   * service exists is left to it (the service deletes its own strays).
   */
  private Behavior<Command> onHostedChecked(HostedChecked checked) {
    HostedPod pod = checked.pod();
    if (checked.reply() == null) {
      return Behaviors.same();
    }
    if (checked.reply() instanceof HostedReply.Found) {
      orphanSince.remove(pod.podName());
      return Behaviors.same();
    }
    Instant now = clock.instant();
    Instant since = orphanSince.computeIfAbsent(pod.podName(), name -> {
      ctx.getLog().info("reconciler: pod {} carries this deployment's label but hosted service {} does not exist; "
          + "deleting it after {} unless the service appears", name, pod.service(), settings.orphanGrace());
      return now;
    });
    if (!now.isBefore(since.plus(settings.orphanGrace()))) {
      ctx.getLog().warn("reconciler: deleting orphaned pod {} (no hosted service {} for {})", pod.podName(),
          pod.service(), settings.orphanGrace());
      orphanSince.remove(pod.podName());
      gateway.tell(new KubernetesCommand.DeletePod(pod.podName(),
          ctx.messageAdapter(PodCallResult.class, Deleted::new)));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onChecked(Checked checked) {
    PodSnapshot pod = checked.pod();
    if (checked.reply() == null) {
      return Behaviors.same(); // no answer this round; ask again next round
    }
    if (checked.reply() instanceof ServiceReply.Found found) {
      orphanSince.remove(pod.podName());
      if (found.service().phase() == ServiceView.Phase.DELETED) {
        ctx.getLog().info("reconciler: service {} is deleted but its pod {} still exists; deleting it",
            pod.serviceId(), pod.podName());
        delete(pod);
      }
      return Behaviors.same();
    }
    Instant now = clock.instant();
    Instant since = orphanSince.computeIfAbsent(pod.podName(), name -> {
      ctx.getLog().info("reconciler: pod {} carries this deployment's label but service {} does not exist; "
          + "deleting it after {} unless a service claims it", name, pod.serviceId(), settings.orphanGrace());
      return now;
    });
    if (!now.isBefore(since.plus(settings.orphanGrace()))) {
      ctx.getLog().warn("reconciler: deleting orphaned pod {} (no service {} for {})", pod.podName(), pod.serviceId(),
          settings.orphanGrace());
      orphanSince.remove(pod.podName());
      delete(pod);
    }
    return Behaviors.same();
  }

  private void delete(PodSnapshot pod) {
    gateway.tell(new KubernetesCommand.DeletePod(pod.podName(), ctx.messageAdapter(PodCallResult.class, Deleted::new)));
  }
}
