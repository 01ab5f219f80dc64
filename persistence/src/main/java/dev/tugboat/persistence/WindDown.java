package dev.tugboat.persistence;

import dev.tugboat.persistence.ServiceState.Deleted;

/**
 * The end of a service's incarnation: whether the informer reported its pod gone, whether it is
 * removing its journal rows (it then persists nothing more, or a write would bring a row back for a
 * service its simulation counts as gone) and whether it asked its shard to passivate it. Immutable,
 * held by its service's ServiceAftercare and replaced only by the entity's actor.
 */
record WindDown(boolean podGoneSeen, boolean removing, boolean passivating) {

  /** What a deleted, acknowledged service does next. */
  enum Next { STAY, LINGER, STOP }

  static WindDown start() {
    return new WindDown(false, false, false);
  }

  /** After recovery: a Deleted service's pod went before; its deletion is nothing to wait for again. */
  static WindDown recovered(ServiceState state) {
    return new WindDown(state instanceof Deleted, false, false);
  }

  WindDown podGone() {
    return new WindDown(true, removing, passivating);
  }

  WindDown removing(boolean on) {
    return new WindDown(podGoneSeen, on, passivating);
  }

  WindDown passivated() {
    return new WindDown(podGoneSeen, removing, true);
  }

  /**
   * A deleted service whose end its simulation acknowledged has nothing left to do. It stops once
   * the informer has reported the pod gone, the linger is over or the deletion was abandoned (then
   * nothing will be seen), and lingers before that: the watch's DELETED event follows the delete's
   * answer by milliseconds and would otherwise start it again. Every other state stays.
   */
  Next next(ServiceState state, boolean lingerOver) {
    if (!(state instanceof Deleted deleted) || !deleted.simulationNotified()) {
      return Next.STAY;
    }
    return podGoneSeen || lingerOver || deleted.deletionProblem() != null ? Next.STOP : Next.LINGER;
  }
}
