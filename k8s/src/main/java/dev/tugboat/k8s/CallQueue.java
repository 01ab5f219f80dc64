package dev.tugboat.k8s;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The calls waiting to start: one ready queue per kind (creates taking turns by simulation, the
 * other kinds first in, first out), at most one call per pod at a time (a pod's later calls wait
 * behind it), and per pod its latest create or delete, which a repeated ask of the same kind
 * joins instead of queueing a second call. Mutable and confined to the gateway actor, because it
 * changes on every call and a copy per change would cost more than the call's bookkeeping.
 *
 * @param <C> a call
 * @param <A> whoever asked for a create or delete, to be told its outcome
 */
final class CallQueue<C extends CallQueue.Entry, A> {

  /** What the queue needs to know of a call. */
  interface Entry {
    CallKind kind();

    String podName();

    /** The key whose turn the call waits for in its kind's queue: its simulation for creates, "" otherwise. */
    String turn();
  }

  /**
   * A create or delete of a pod, not finished yet, and the askers who asked for the same again
   * while it was the pod's latest create or delete: they join it instead of queueing a second
   * call (a caller whose ask timed out behind a long queue would otherwise add one call per retry,
   * and lengthen the queue it is waiting in). Identity matters, so not a record.
   */
  static final class Mutation<A> {
    private final CallKind kind;
    private final List<A> alsoAsked = new ArrayList<>();

    private Mutation(CallKind kind) {
      this.kind = kind;
    }

    CallKind kind() {
      return kind;
    }
  }

  private final Map<CallKind, FairQueue<C>> ready = new EnumMap<>(CallKind.class);
  /** Orders of the ready queues: appended calls count up from here, calls put back at the head down. */
  private long tail;
  private long head;
  private final Map<String, ArrayDeque<C>> waitingByPod = new HashMap<>();
  private final Set<String> busyPods = new HashSet<>();
  private final Map<String, Mutation<A>> latestMutation = new HashMap<>();
  private int waiting;

  CallQueue() {
    for (CallKind kind : CallKind.values()) {
      ready.put(kind, new FairQueue<>());
    }
  }

  /** A new call: ready at the end of its kind's queue, or waiting behind the pod's call in progress. */
  void submit(C call) {
    if (busyPods.add(call.podName())) {
      addLast(call);
    } else {
      waitingByPod.computeIfAbsent(call.podName(), n -> new ArrayDeque<>()).addLast(call);
      waiting++;
    }
  }

  /** A call whose retry is due: ready at the end of its kind's queue (its pod stayed busy meanwhile). */
  void retry(C call) {
    addLast(call);
  }

  /** A call refused for its kind (a 429): ready at the head of its kind's queue, to go first when the kind may. */
  void putBack(C call) {
    ready.get(call.kind()).add(call.turn(), --head, call);
  }

  boolean isEmpty(CallKind kind) {
    return ready.get(kind).isEmpty();
  }

  /** The call of this kind that starts next; null when none is ready. */
  C peek(CallKind kind) {
    return ready.get(kind).peekNext();
  }

  /** Takes the call of this kind that starts next (its pod stays busy until {@link #release}); null when none. */
  C poll(CallKind kind) {
    return ready.get(kind).pollNext();
  }

  /** The pod's call is over: its next waiting call becomes ready, or the pod is free. */
  void release(String podName) {
    ArrayDeque<C> queue = waitingByPod.get(podName);
    if (queue == null) {
      busyPods.remove(podName);
      return;
    }
    waiting--;
    addLast(queue.pollFirst());
    if (queue.isEmpty()) {
      waitingByPod.remove(podName);
    }
  }

  /** Calls not started: ready ones and those waiting for their pod. */
  int queued() {
    int n = waiting;
    for (FairQueue<C> q : ready.values()) {
      n += q.size();
    }
    return n;
  }

  /**
   * Joins the pod's latest create or delete if it is of this kind and not finished: the asker
   * gets its outcome. A create asked after a delete (or the reverse) never joins an earlier one.
   */
  boolean join(CallKind kind, String podName, A asker) {
    Mutation<A> latest = latestMutation.get(podName);
    if (latest == null || latest.kind != kind) {
      return false;
    }
    latest.alsoAsked.add(asker);
    return true;
  }

  /** A new create or delete of the pod, which later asks of its kind join. */
  Mutation<A> startMutation(CallKind kind, String podName) {
    Mutation<A> m = new Mutation<>(kind);
    latestMutation.put(podName, m);
    return m;
  }

  /** The mutation is over (nobody joins it any more); returns who joined it, in the order they asked. */
  List<A> finishMutation(String podName, Mutation<A> mutation) {
    latestMutation.remove(podName, mutation);
    return mutation.alsoAsked;
  }

  /** Whether a delete of the pod was asked after {@code mutation} (it is waiting behind it). */
  boolean deleteAskedSince(String podName, Mutation<A> mutation) {
    Mutation<A> latest = latestMutation.get(podName);
    return latest != null && latest != mutation && latest.kind == CallKind.DELETE;
  }

  private void addLast(C call) {
    ready.get(call.kind()).add(call.turn(), ++tail, call);
  }
}
