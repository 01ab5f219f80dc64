package dev.tugboat.k8s;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;

/**
 * Which creates may start (docs/architecture.md, "Admission"): the live pods of this deployment,
 * admitted creates the informer has not reported yet, the limit (the hard cap, a limit learnt
 * from "exceeded quota" and raised after successes, or the lower), the hold after a quota refusal,
 * and the queue of creates waiting for room, simulations taking turns. Mutable and confined to the
 * gateway actor, because its sets hold every live pod and change with every create and pod event.
 *
 * @param <R> a create as asked
 */
final class Admission<R extends Admission.Ask> {

  /** What admission needs to know of a create. */
  interface Ask {
    String podName();

    String simulationId();

    /** The order of asking ({@link #nextSeq}): first asked, first admitted within a simulation. */
    long seq();
  }

  /** What became of a create that asked for admission. */
  enum Verdict {
    /** Its pod already holds a slot (a repeated create, or one after a restart): it starts without another. */
    HOLDS_SLOT,
    /** Admitted: it takes a slot and starts. */
    ADMITTED,
    /** No room: it waits in the queue. */
    QUEUED
  }

  private final KubernetesSettings.Admission settings;
  private final KubernetesSettings.Retry retry;
  private final Logger log;
  /** Live pods as the informer reports them. */
  private final Set<String> livePods = new HashSet<>();
  /** Admitted creates; they count as live until the informer has seen their pod (or they failed). */
  private final Set<String> admitted = new HashSet<>();
  /** Admitted creates that succeeded and whose pods the informer has not seen yet. */
  private final Set<String> createdUnseen = new HashSet<>();
  /** Pod names waiting for admission, in turn by simulation and by first-asked order within one. */
  private final FairQueue<String> order = new FairQueue<>();
  private final Map<String, R> queue = new HashMap<>();
  private long nextSeq;
  /** Limit learnt from "exceeded quota"; 0 = none. */
  private int learntLimit;
  private int successesSinceLearnt;
  private int quotaRefusals;
  /** After a quota refusal no create is admitted before this (nanoTime); 0 = no hold. */
  private long holdUntil;

  Admission(KubernetesSettings.Admission settings, KubernetesSettings.Retry retry, Logger log) {
    this.settings = settings;
    this.retry = retry;
    this.log = log;
  }

  /** The order number of a new ask. */
  long nextSeq() {
    return nextSeq++;
  }

  /** The create of this pod waiting in the queue, or null. */
  R waiting(String podName) {
    return queue.get(podName);
  }

  /** The queued create asked again: still one entry at its place, now answering {@code latest}. Returns its position. */
  int askedAgain(R latest) {
    queue.put(latest.podName(), latest);
    return position(latest);
  }

  /** A create asks for admission at {@code now} (nanoTime). A queued one's position is {@link #position}. */
  Verdict ask(R request, long now) {
    String name = request.podName();
    if (livePods.contains(name) || admitted.contains(name)) {
      return Verdict.HOLDS_SLOT;
    }
    if (queue.isEmpty() && hasRoom(now)) {
      admitted.add(name);
      return Verdict.ADMITTED;
    }
    enqueue(request);
    return Verdict.QUEUED;
  }

  /** Takes the queued create of this pod out (its pod is being deleted); returns it, or null. */
  R withdraw(String podName) {
    R waiting = queue.remove(podName);
    if (waiting != null) {
      order.remove(waiting.simulationId(), waiting.seq());
    }
    return waiting;
  }

  /** Admits queued creates from the head while there is room; returns them in the order admitted. */
  List<R> admitFromQueue(long now) {
    List<R> out = List.of();
    while (!order.isEmpty() && hasRoom(now)) {
      R request = queue.remove(order.pollNext());
      admitted.add(request.podName());
      if (out.isEmpty()) {
        out = new ArrayList<>();
      }
      out.add(request);
    }
    return out;
  }

  /** Nanoseconds until the hold after a quota refusal is over while creates wait for it; 0 when nothing waits for it. */
  long holdLeft(long now) {
    return !order.isEmpty() && holdUntil != 0 && holdUntil - now > 0 ? holdUntil - now : 0;
  }

  /** The informer saw the pod live, or ended, being deleted or gone. */
  void seen(String podName, boolean live) {
    boolean wasAdmitted = admitted.remove(podName);
    createdUnseen.remove(podName);
    if (live) {
      livePods.add(podName);
    } else if (livePods.remove(podName) | wasAdmitted) {
      // One of our pods ended: that is quota freed, worth trying at once.
      holdUntil = 0;
    }
  }

  /**
   * A new informer has synced: the pods it holds, each with whether it is live. A new informer
   * does not report pods that went while none was watching, so the live pods start afresh.
   */
  void synced(Map<String, Boolean> seen) {
    livePods.clear();
    seen.forEach((name, live) -> {
      admitted.remove(name);
      createdUnseen.remove(name);
      if (live) {
        livePods.add(name);
      }
    });
  }

  /**
   * A create finished, its pod {@code created} or not. Returns whether there may be room now (a
   * failed create frees its slot; enough successes raise a learnt limit).
   */
  boolean createFinished(String podName, boolean created) {
    if (!created) {
      admitted.remove(podName);
      createdUnseen.remove(podName);
      return true;
    }
    quotaRefusals = 0;
    if (admitted.contains(podName)) {
      createdUnseen.add(podName);
    }
    if (learntLimit > 0 && ++successesSinceLearnt >= settings.raiseAfter()) {
      successesSinceLearnt = 0;
      int cap = settings.maxPods();
      int previous = learntLimit;
      // At the cap the learnt limit has nothing left to say.
      learntLimit = cap > 0 && learntLimit + 1 >= cap ? 0 : learntLimit + 1;
      log.info("Admission limit raised {} -> {} after {} successful creates", previous,
          learntLimit == 0 ? (cap == 0 ? "none" : "max-pods " + cap) : learntLimit, settings.raiseAfter());
      return true;
    }
    return false;
  }

  /** The pod was deleted: it holds no slot, even if the informer never saw it. Returns whether that freed one. */
  boolean deleted(String podName) {
    return admitted.remove(podName) | createdUnseen.remove(podName);
  }

  /**
   * An "exceeded quota" answer to the create of this pod: the limit falls to the live pods known to
   * exist (created ones, not in-flight ones; at least 1), and nothing is admitted for a backoff
   * growing with consecutive refusals unless a pod of ours ends first (the quota may be taken by
   * pods that are not ours).
   */
  void quotaRefused(String podName, String reason, long now, RandomGenerator random) {
    admitted.remove(podName);
    int known = livePods.size();
    for (String n : createdUnseen) {
      if (!livePods.contains(n)) {
        known++;
      }
    }
    int previous = learntLimit;
    learntLimit = Math.max(1, known);
    successesSinceLearnt = 0;
    quotaRefusals++;
    Duration hold = Backoff.delay(retry, Math.min(quotaRefusals - 1, 20), Duration.ZERO, random);
    if (hold.compareTo(retry.minBackoff()) < 0) {
      hold = retry.minBackoff();
    }
    holdUntil = now + Math.max(1, hold.toNanos());
    if (previous != learntLimit) {
      log.info("Pod quota reached creating pod {} ({}): admission limit {} -> {}",
          podName, reason, previous == 0 ? "none" : previous, learntLimit);
    }
  }

  /**
   * The refused create goes back into the queue by its first-asked order, so ahead of everything
   * asked later; returns false when it is queued already (asked again meanwhile: one entry, whose
   * asker is the latest).
   */
  boolean requeue(R request) {
    if (queue.containsKey(request.podName())) {
      return false;
    }
    enqueue(request);
    return true;
  }

  /** Where the queued create stands (1 = admitted next), counting the turns of every simulation. */
  int position(R request) {
    return order.position(request.simulationId(), request.seq());
  }

  /** Creates waiting for admission. */
  int queued() {
    return queue.size();
  }

  /** The limit on live pods now: the hard cap, the learnt quota limit, or the lower; 0 = none. */
  int limit() {
    int cap = settings.maxPods();
    if (cap > 0 && learntLimit > 0) {
      return Math.min(cap, learntLimit);
    }
    return Math.max(cap, learntLimit);
  }

  /** Whether a learnt quota limit below the cap limits creates. */
  boolean atQuota() {
    int cap = settings.maxPods();
    return learntLimit > 0 && (cap == 0 || learntLimit < cap);
  }

  /** Why creates are queued, for the askers. */
  String reason() {
    if (atQuota()) {
      return "pod quota reached: at most " + learntLimit + " live pods (learnt from \"exceeded quota\")";
    }
    return "max-pods reached: at most " + settings.maxPods() + " live pods";
  }

  /** Live pods plus admitted creates whose pods the informer has not seen yet. */
  int liveCount() {
    int n = livePods.size();
    for (String name : admitted) {
      if (!livePods.contains(name)) {
        n++;
      }
    }
    return n;
  }

  private boolean hasRoom(long now) {
    if (holdUntil != 0 && holdUntil - now > 0) {
      return false;
    }
    int limit = limit();
    return limit == 0 || liveCount() < limit;
  }

  private void enqueue(R request) {
    order.add(request.simulationId(), request.seq(), request.podName());
    queue.put(request.podName(), request);
  }
}
