package dev.tugboat.k8s;

import dev.tugboat.protocol.kubernetes.PodCallResult;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One queued or running call of the gateway: the blocking attempt to run, what to do with its
 * final outcome, and its attempts so far; create is set on creates only, mutation on creates and
 * deletes only.
 */
record Call(CallKind kind, String podName, Supplier<CallOutcome> operation, Consumer<CallOutcome> finish,
            long firstAttemptNanos, int attempt, CreateRequest create,
            CallQueue.Mutation<ActorRef<PodCallResult>> mutation) implements CallQueue.Entry {

  /** A new call, at its first attempt from now. */
  static Call first(CallKind kind, String podName, Supplier<CallOutcome> operation, Consumer<CallOutcome> finish,
                    CreateRequest create, CallQueue.Mutation<ActorRef<PodCallResult>> mutation) {
    return new Call(kind, podName, operation, finish, System.nanoTime(), 0, create, mutation);
  }

  Call nextAttempt() {
    return new Call(kind, podName, operation, finish, firstAttemptNanos, attempt + 1, create, mutation);
  }

  /** Creates take turns by simulation (or hosted service); the other kinds are one FIFO each. */
  @Override
  public String turn() {
    return create == null ? "" : create.order().turn();
  }

  /** A create that also writes its pod's Secret makes two writes, and takes a token for each. */
  int tokens() {
    return create == null ? 1 : create.order().writes();
  }
}
