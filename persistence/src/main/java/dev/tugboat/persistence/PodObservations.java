package dev.tugboat.persistence;

import dev.tugboat.persistence.ServiceCalls.LogRead;
import dev.tugboat.persistence.ServiceCalls.LookupReplied;
import dev.tugboat.persistence.ServiceEvent.PodCreated;
import dev.tugboat.persistence.ServiceEvent.PodRunning;
import dev.tugboat.persistence.ServiceState.Running;
import dev.tugboat.persistence.ServiceState.WithSpec;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.PodLookupResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceCommand.PodGone;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/** A service's following of its pod until the model ends: observations, lookups, exit log, loss. */
final class PodObservations {
  /** Characters of one container log line shown in the node's log. */
  private static final int MAX_LOGGED_LINE = 2000;

  private final ServiceId serviceId;
  private final EntitySettings settings;
  private final ActorContext<ServiceCommand> ctx;
  private final ServiceCalls calls;
  private final ServiceAftercare aftercare;
  private final EffectFactories<ServiceEvent, ServiceState> effect;

  // What this incarnation knows of its pod beyond the journal: immutable parts, each replaced only
  // by the entity's actor, lost on restart (recovery looks the pod up again).
  private PodSighting sighting;
  private PodReads reads = PodReads.none();
  private LostNode lostNode = LostNode.none();
  private ImagePullWatch imagePull = ImagePullWatch.none();

  PodObservations(ServiceId serviceId, EntitySettings settings, ActorContext<ServiceCommand> ctx, ServiceCalls calls,
      ServiceAftercare aftercare, EffectFactories<ServiceEvent, ServiceState> effect) {
    this.serviceId = serviceId;
    this.settings = settings;
    this.ctx = ctx;
    this.calls = calls;
    this.aftercare = aftercare;
    this.effect = effect;
    this.sighting = PodSighting.from(settings.clock().instant());
  }

  /** The tick while the pod exists: a lost node or unpulled image past its grace ends the model. */
  ReplyEffect<ServiceEvent, ServiceState> tick(WithSpec state) {
    Instant now = settings.clock().instant();
    if (lostNode.graceOver(now, settings.lostNodeGrace())) {
      return nodeLost(state, now);
    }
    if (imagePull.graceOver(now, settings.imagePullGrace())) {
      return imageNotPulled(state, now);
    }
    lookup(state.spec());
    return effect.none().thenNoReply();
  }

  /** The recovery lookup while creating: a pod in the cache is an observation; no pod is no news yet. */
  ReplyEffect<ServiceEvent, ServiceState> lookupRepliedWhileCreating(WithSpec state, LookupReplied msg) {
    reads = reads.lookupAnswered();
    return msg.result() instanceof PodLookupResult.Present p ? observed(state, p.pod()) : effect.none().thenNoReply();
  }

  /** A lookup answer that changes nothing (the model has ended, or no phase follows the pod). */
  void lookupAnswered() {
    reads = reads.lookupAnswered();
  }

  /** A log read that changes nothing (the model has already ended). */
  void logReadOver() {
    reads = reads.logReadOver();
  }

  ReplyEffect<ServiceEvent, ServiceState> lookupReplied(WithSpec state, LookupReplied msg) {
    reads = reads.lookupAnswered();
    if (msg.result() instanceof PodLookupResult.Present p) {
      return observed(state, p.pod());
    }
    if (msg.result() instanceof PodLookupResult.Absent
        && sighting.missing(settings.clock().instant(), settings.podMissingGrace(), state.at())) {
      ctx.getLog().warn("service {}: pod {} absent from the informer cache since {}", serviceId,
          state.spec().podName(), sighting.lastWord(state.at()));
      return podGone(state, true, sighting.last());
    }
    return effect.none().thenNoReply();
  }

  /** The pod stayed on a lost node for lost-node-grace: the model is reported FAILED (127). */
  ReplyEffect<ServiceEvent, ServiceState> nodeLost(WithSpec state, Instant now) {
    ctx.getLog().warn("service {}: pod {} on a lost node since {}, FAILED: {}", serviceId, state.spec().podName(),
        lostNode.since(), lostNode.reason());
    return aftercare.persist(ServiceEndings.lost(state.spec(), lostNode.reason(), now)).thenNoReply();
  }

  /** The container waited for an image it cannot pull for image-pull-grace: the model is reported FAILED (200). */
  ReplyEffect<ServiceEvent, ServiceState> imageNotPulled(WithSpec state, Instant now) {
    String reason = imagePull.reason(state.spec().imageUrl());
    ctx.getLog().warn("service {}: pod {} waiting since {}, FAILED: {}", serviceId, state.spec().podName(),
        imagePull.since(), reason);
    return aftercare.persist(ServiceEndings.imageNotPulled(state.spec(), reason, now)).thenNoReply();
  }

  ReplyEffect<ServiceEvent, ServiceState> observed(WithSpec state, PodSnapshot pod) {
    if (!pod.podName().equals(state.spec().podName())) {
      ctx.getLog().warn("service {}: observation of foreign pod {} ignored", serviceId, pod.podName());
      return effect.none().thenNoReply();
    }
    Instant now = settings.clock().instant();
    sighting = sighting.observed(pod, now);
    String podName = state.spec().podName();
    boolean beforeCreated = ServiceState.isBeforeCreated(state);
    if (pod.container() == PodSnapshot.ContainerState.TERMINATED) {
      return terminated(state, pod, now);
    }
    if (!beforeCreated && LostNode.shows(pod)) {
      if (!lostNode.lost()) {
        lostNode = lostNode.seen(pod, now);
        ctx.getLog().warn("service {}: pod {} is on a lost node ({}), failing it after {} unless it recovers",
            serviceId, podName, lostNode.why(), settings.lostNodeGrace());
      }
      return lostNode.graceOver(now, settings.lostNodeGrace()) ? nodeLost(state, now) : effect.none().thenNoReply();
    }
    if (lostNode.lost()) {
      ctx.getLog().info("service {}: pod {} reachable again after a lost node since {}", serviceId, podName,
          lostNode.since());
      lostNode = LostNode.none();
    }
    ImagePullWatch pull = imagePull.observed(pod, now);
    if (pull.waiting() && !imagePull.waiting()) {
      ctx.getLog().info("service {}: pod {} cannot pull image {} ({}), failing it after {} unless it starts",
          serviceId, podName, state.spec().imageUrl(), pull.why(), settings.imagePullGrace());
    }
    imagePull = pull;
    if (imagePull.graceOver(now, settings.imagePullGrace())) {
      return imageNotPulled(state, now);
    }
    List<ServiceEvent> events = new ArrayList<>();
    if (beforeCreated) {
      events.add(new PodCreated(serviceId, podName, now));
    }
    if (pod.container() == PodSnapshot.ContainerState.RUNNING && !(state instanceof Running)) {
      ctx.getLog().info("service {}: pod {} running", serviceId, podName);
      events.add(new PodRunning(serviceId, podName, now));
    }
    return events.isEmpty() ? effect.none().thenNoReply() : effect.persist(events).thenNoReply();
  }

  /** The container ended: exit 0 is recorded at once, any other exit after reading the log's tail. */
  ReplyEffect<ServiceEvent, ServiceState> terminated(WithSpec state, PodSnapshot pod, Instant now) {
    if (reads.readingLog()) {
      return effect.none().thenNoReply();
    }
    int exitCode = ServiceEndings.exitCode(pod);
    if (exitCode == 0 || settings.logTailLines() == 0) {
      return persistExit(state, pod, exitCode, List.of(), now);
    }
    reads = reads.logReadStarted();
    calls.readLog(pod);
    return effect.none().thenNoReply();
  }

  ReplyEffect<ServiceEvent, ServiceState> logRead(WithSpec state, LogRead msg) {
    reads = reads.logReadOver();
    if (msg.unavailable() != null) {
      ctx.getLog().info("service {}: log of pod {} unavailable: {}", serviceId, msg.pod().podName(),
          msg.unavailable());
    }
    return persistExit(state, msg.pod(), ServiceEndings.exitCode(msg.pod()), msg.lines(),
        settings.clock().instant());
  }

  ReplyEffect<ServiceEvent, ServiceState> persistExit(WithSpec state, PodSnapshot pod, int exitCode,
      List<String> lines, Instant now) {
    if (exitCode != 0) {
      // Each line escaped and marked as the container's: its output can hold anything, log lines included.
      ctx.getLog().info("service {}: container exited {} ({}); last {} log line(s):\n{}", serviceId, exitCode,
          Ids.printable(ServiceEndings.describe(pod), MAX_LOGGED_LINE), lines.size(),
          lines.stream().map(l -> "  | " + Ids.printable(l, MAX_LOGGED_LINE)).collect(Collectors.joining("\n")));
    } else {
      ctx.getLog().info("service {}: container exited 0", serviceId);
    }
    return aftercare.persist(ServiceEndings.exited(state.spec(), pod, exitCode, lines, now)).thenNoReply();
  }

  ReplyEffect<ServiceEvent, ServiceState> podGone(WithSpec state, PodGone cmd) {
    if (!cmd.podName().equals(state.spec().podName())) {
      return effect.none().thenNoReply();
    }
    return podGone(state, cmd.finalStateUnknown(), cmd.lastKnown() != null ? cmd.lastKnown() : sighting.last());
  }

  /** The pod is gone: its last known state decides whether the model ended or was lost. */
  ReplyEffect<ServiceEvent, ServiceState> podGone(WithSpec state, boolean finalStateUnknown,
      PodSnapshot lastKnown) {
    Instant now = settings.clock().instant();
    reads = reads.logReadOver();
    if (lastKnown != null && lastKnown.container() == PodSnapshot.ContainerState.TERMINATED
        && lastKnown.exitCode() != null) {
      return persistExit(state, lastKnown, lastKnown.exitCode(), List.of(), now);
    }
    String reason = ServiceEndings.goneEarly(finalStateUnknown);
    ctx.getLog().warn("service {}: {}", serviceId, reason);
    return aftercare.persist(ServiceEndings.lost(state.spec(), reason, now)).thenNoReply();
  }

  void lookup(ServiceSpec spec) {
    if (reads.mayLookup()) {
      reads = reads.lookupSent();
      calls.lookupPod(spec.podName());
    }
  }
}
