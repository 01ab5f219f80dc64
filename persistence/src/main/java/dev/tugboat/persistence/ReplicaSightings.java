package dev.tugboat.persistence;

import dev.tugboat.persistence.HostedEvent.ReplicaFailed;
import dev.tugboat.persistence.HostedEvent.ReplicaObserved;
import dev.tugboat.persistence.HostedState.Deleting;
import dev.tugboat.persistence.HostedState.Existing;
import dev.tugboat.persistence.ReplicaSet.Replica;
import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.hosted.HostedStatus;
import dev.tugboat.protocol.kubernetes.HostedPods;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * What a hosted service learns of its pods changes: a replica's status, its failure (with the
 * backoff of {@link RestartBackoff} before its replacement; a pod whose image could not be pulled
 * for image-pull-grace, as its {@link ReplicaImagePulls} tell, fails too), a stray pod to delete,
 * or a pod asked for and never seen to ask for again. It decides from the state, the pods, the
 * pull watches and the clock; the entity persists the events and makes the calls of an
 * {@link Outcome}.
 */
final class ReplicaSightings {

  /** Events to persist, pods to delete now, and live replicas whose pod to ask for again. */
  record Outcome(List<HostedEvent> events, List<String> deletes, List<Replica> askAgain) {
    static final Outcome NONE = new Outcome(List.of(), List.of(), List.of());

    Outcome {
      events = List.copyOf(events);
      deletes = List.copyOf(deletes);
      askAgain = List.copyOf(askAgain);
    }

    static Outcome of(List<HostedEvent> events) {
      return new Outcome(events, List.of(), List.of());
    }
  }

  private final String name;
  private final HostedSettings settings;
  private final Logger log;

  ReplicaSightings(String name, HostedSettings settings, Logger log) {
    this.name = name;
    this.settings = settings;
    this.log = log;
  }

  /**
   * One sighting of {@code pod}: a replica's status, its failure (also when {@code pulls} says its
   * image has not been pulled for image-pull-grace), or nothing (a stray is deleted).
   */
  Outcome observed(Existing s, HostedPod pod, ReplicaImagePulls pulls, Instant at) {
    var current = s.replicas().current(pod);
    if (current.isEmpty() || !current.get().live()) {
      if (pod.terminating()) {
        return Outcome.NONE;
      }
      log.info("hosted service {}: deleting pod {}, not the current pod of a live replica", name, pod.podName());
      return new Outcome(List.of(), List.of(pod.podName()), List.of());
    }
    Replica r = current.get();
    HostedStatus status = ReplicaSet.statusOf(pod);
    if (status == HostedStatus.FAILED || status == HostedStatus.COMPLETE) {
      return Outcome.of(List.of(failure(r, ReplicaSet.endReason(pod), at)));
    }
    var unpulled = pulls.overGrace(pod.podName(), at, settings.imagePullGrace());
    if (unpulled.isPresent()) {
      return Outcome.of(List.of(failure(r, unpulled.get().reason(s.spec().image()), at)));
    }
    boolean ready = status == HostedStatus.RUNNING;
    String ip = ready ? pod.podIp() : null;
    if (r.observed() && status == r.status() && ready == r.ready() && Objects.equals(ip, r.podIp())) {
      return Outcome.NONE;
    }
    return Outcome.of(List.of(new ReplicaObserved(name, r.slot(), r.generation(), status, ready, ip, at)));
  }

  /** The pod {@code lastKnown} was deleted: its replica failed if it is the current pod of a live one. */
  Outcome gone(Existing s, HostedPod lastKnown, Instant at) {
    var current = s.replicas().current(lastKnown);
    if (current.isEmpty() || !current.get().live()) {
      return Outcome.NONE;
    }
    return Outcome.of(List.of(failure(current.get(), "its pod " + lastKnown.podName()
        + " was deleted by someone else", at)));
  }

  /**
   * The informer cache's list: every listed pod as a sighting; a live replica's pod that was seen
   * and is missing now failed; one asked for and never seen is asked for again after
   * create-retry-after. An unsynced cache says nothing.
   */
  Outcome listed(Existing s, HostedPods pods, ReplicaImagePulls pulls, Instant at) {
    if (!pods.synced()) {
      return Outcome.NONE;
    }
    HostedState state = s;
    List<HostedEvent> events = new ArrayList<>();
    List<String> deletes = new ArrayList<>();
    List<Replica> askAgain = new ArrayList<>();
    for (HostedPod pod : pods.pods()) {
      if (!(state instanceof Existing e)) {
        break;
      }
      Outcome o = observed(e, pod, pulls, at);
      deletes.addAll(o.deletes());
      for (HostedEvent ev : o.events()) {
        events.add(ev);
        state = state.apply(ev);
      }
    }
    Set<String> listed = pods.pods().stream().map(HostedPod::podName).collect(Collectors.toSet());
    if (state instanceof Existing e) {
      for (Replica r : e.replicas().bySlot().values()) {
        String pod = r.podName(name);
        if (!r.live() || listed.contains(pod)) {
          continue;
        }
        if (r.observed()) {
          ReplicaFailed f = failure(r, "its pod " + pod + " is gone", at);
          events.add(f);
          state = state.apply(f);
        } else if (!at.isBefore(r.startedAt().plus(settings.createRetryAfter()))) {
          log.info("hosted service {}: pod {} not seen {} after it was asked for; asking again", name, pod,
              settings.createRetryAfter());
          askAgain.add(r);
        }
      }
    }
    return new Outcome(events, deletes, askAgain);
  }

  /**
   * A Failed answer for the current pod of a live replica is its create's failure (the entity
   * deletes only pods that are no replica's current one): the replica failed, also when its pod
   * was seen meanwhile, for the gateway deletes a pod whose Secret it could not write, and a pod
   * left waiting without it would never start. A replica that is ready runs with its Secret: a
   * late failure of its create changes nothing. Any other Failed answer is about a pod that is no
   * live replica's (mostly a delete's): such a pod is deleted again when next seen.
   */
  Outcome callFailed(HostedState s, PodCallResult.Failed f, Instant at) {
    if (s instanceof Existing e && !(s instanceof Deleting)) {
      var creating = e.replicas().bySlot().values().stream()
          .filter(r -> r.live() && r.podName(name).equals(f.podName())).findFirst();
      if (creating.isPresent() && !creating.get().ready()) {
        return Outcome.of(List.of(failure(creating.get(), "its pod " + f.podName() + " could not be created (HTTP "
            + f.httpStatus() + " " + f.reason() + ")", at)));
      }
      if (creating.isPresent()) {
        log.info("hosted service {}: the create of pod {} failed late (HTTP {} {}); the replica is ready, kept",
            name, f.podName(), f.httpStatus(), f.reason());
        return Outcome.NONE;
      }
    }
    log.warn("hosted service {}: a call for pod {}, no live replica's current pod, failed (HTTP {} {}); it is"
        + " deleted when next seen", name, f.podName(), f.httpStatus(), f.reason());
    return Outcome.NONE;
  }

  /**
   * The pull watches {@code pulls} after {@code pod} was seen: only the current pod of a live
   * replica is watched, and one that starts waiting for its image is logged.
   */
  ReplicaImagePulls watchPulls(Existing s, ReplicaImagePulls pulls, HostedPod pod, Instant at) {
    return logged(s, pulls, pulls.observed(pod, s.replicas().livePods(), at));
  }

  /** {@link #watchPulls(Existing, ReplicaImagePulls, HostedPod, Instant)} for each pod of the cache's list. */
  ReplicaImagePulls watchPulls(Existing s, ReplicaImagePulls pulls, HostedPods pods, Instant at) {
    return logged(s, pulls, pulls.listed(pods, s.replicas().livePods(), at));
  }

  private ReplicaImagePulls logged(Existing s, ReplicaImagePulls before, ReplicaImagePulls next) {
    next.byPod().forEach((pod, w) -> {
      if (!before.of(pod).waiting()) {
        log.info("hosted service {}: pod {} cannot pull image {} ({}); its replica fails after {} unless it"
            + " starts", name, pod, s.spec().image(), w.why(), settings.imagePullGrace());
      }
    });
    return next;
  }

  /** {@code r} failed: replaced after the backoff, or FAILED for good once the restarts in a row are used up. */
  ReplicaFailed failure(Replica r, String reason, Instant at) {
    RestartBackoff backoff = settings.backoff();
    int failures = backoff.failuresInRow(r.failuresInRow(), r.readySince(), at);
    Instant replaceAt = backoff.replaceAt(failures, at).orElse(null);
    if (replaceAt == null) {
      log.warn("hosted service {}: replica {} failed {} times in a row ({}); it stays FAILED", name,
          r.slot(), failures, reason);
    } else {
      log.warn("hosted service {}: replica {} failed ({}); replacing it in {} ms (failure {} in a row)",
          name, r.slot(), reason, Duration.between(at, replaceAt).toMillis(), failures);
    }
    return new ReplicaFailed(name, r.slot(), r.generation(), reason, failures, replaceAt, at);
  }
}
