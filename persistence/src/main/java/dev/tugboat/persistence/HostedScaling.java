package dev.tugboat.persistence;

import dev.tugboat.persistence.HostedEvent.ReplicaRemoved;
import dev.tugboat.persistence.HostedEvent.ReplicaStarted;
import dev.tugboat.persistence.HostedEvent.Scaled;
import dev.tugboat.persistence.HostedState.Active;
import dev.tugboat.persistence.HostedState.Existing;
import dev.tugboat.persistence.ReplicaSet.Replica;
import dev.tugboat.protocol.hosted.HostedCommand.ReportLoad;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A hosted service's traffic and what it decides: the proxies' latest reports ({@link LoadBoard})
 * and the rule's hysteresis ({@link ScaleRule}). Traffic, not lifecycle: it is not journaled and
 * starts afresh (no report, idle clock from now) when the entity starts or the service is created.
 */
record HostedScaling(LoadBoard load, ScaleRule rule) {

  /** The scaling after a report, and the events of the one replica more it asks for, if any. */
  record Step(HostedScaling next, List<HostedEvent> events) {
    Step {
      events = List.copyOf(events);
    }
  }

  static HostedScaling startingAt(Instant at) {
    return new HostedScaling(LoadBoard.EMPTY, ScaleRule.startingAt(at));
  }

  /**
   * Takes in a proxy's report; asks for one replica more when the rule wants more, the service is
   * Active below its max, and every wanted replica is ready: a pod waiting for admission (the
   * gateway's limits) or still starting must take load before another one is asked for.
   */
  Step reported(String name, Existing s, ReportLoad c, Instant at, HostedSettings settings) {
    LoadBoard board = load.reported(c.node(), c.inFlightByReplica(), at);
    int inFlight = board.total(at, settings.loadStaleAfter(), s.replicas().currentPods());
    int ready = s.replicas().readyCount();
    ScaleRule next = rule.reported(at, inFlight, ready, settings.scaleUpAt());
    if (!(s instanceof Active a) || !next.wantsMore()
        || a.desired() >= a.spec().replicas().max() || a.replicas().size() != a.desired() || ready != a.desired()) {
      return new Step(new HostedScaling(board, next), List.of());
    }
    int slot = a.replicas().freeSlot();
    String reason = "load: " + inFlight + " requests in flight over " + ready + " ready replicas";
    return new Step(new HostedScaling(board, next.scaledUp()), List.of(new Scaled(name, a.desired() + 1, reason, at),
        new ReplicaStarted(name, slot, a.replicas().nextGeneration(slot, a.generationFloor()), at)));
  }

  /**
   * Back to min replicas once no request was in flight for the spec's idle timeout: Scaled, then
   * the removal of every replica past min (the highest slots). Nothing unless Active above min.
   */
  List<HostedEvent> idleScaleDown(String name, HostedState state, Instant at) {
    if (!(state instanceof Active a) || a.desired() <= a.spec().replicas().min()
        || !rule.idle(at, a.spec().idleTimeout())) {
      return List.of();
    }
    int min = a.spec().replicas().min();
    List<HostedEvent> events = new ArrayList<>();
    events.add(new Scaled(name, min, "idle: no request for " + a.spec().idleTimeout(), at));
    List<Replica> all = List.copyOf(a.replicas().bySlot().values());
    for (Replica r : all.subList(Math.min(min, all.size()), all.size())) {
      events.add(new ReplicaRemoved(name, r.slot(), r.podName(name), at));
    }
    return events;
  }
}
