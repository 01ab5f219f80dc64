package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationMessages.LateReadyGraceOver;
import dev.tugboat.persistence.SimulationState.Active;
import dev.tugboat.persistence.SimulationState.Deployment;
import dev.tugboat.persistence.SimulationState.Ended;
import dev.tugboat.persistence.SimulationState.Rejected;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * What a simulation does next, after recovery, each persisted change and each tick, given its
 * state: hands the work to the parts that own it. Holds nothing of its own; confined to its
 * entity's actor.
 */
final class NextSteps {
  private final String simulationId;
  private final ActorContext<SimulationCommand> ctx;
  private final TimerScheduler<SimulationCommand> timers;
  private final FastPublisher fast;
  private final LateReadyGrace lateReady;
  private final ServiceCreates creates;
  private final ServiceStops stops;
  private final RetentionRemoval removal;

  NextSteps(String simulationId, ActorContext<SimulationCommand> ctx, TimerScheduler<SimulationCommand> timers,
      FastPublisher fast, LateReadyGrace lateReady, ServiceCreates creates, ServiceStops stops,
      RetentionRemoval removal) {
    this.simulationId = simulationId;
    this.ctx = ctx;
    this.timers = timers;
    this.fast = fast;
    this.lateReady = lateReady;
    this.creates = creates;
    this.stops = stops;
    this.removal = removal;
  }

  /**
   * Forgets the fast path's settled entries that are journaled, publishes what is new, starts the
   * wait for late ready reports, refills the window of Creates (or asks the services not yet
   * stopped), passivates (or removes after ended-retention) once ended with every notification
   * delivered.
   */
  void after(SimulationState state) {
    Outbox outbox = SimulationState.outboxOf(state);
    fast.changed(outbox);
    if (state instanceof Active a) {
      Deployment d = a.deployment();
      if (LateReadyGrace.waiting(d) && lateReady.start()) {
        timers.startSingleTimer(LateReadyGraceOver.INSTANCE, lateReady.grace());
        ctx.getLog().info("simulation {}: every model terminated, {} of {} without reporting ready;"
                + " AllModelsHaveTerminated waits up to {} ms for late ReadyForProcessing", simulationId,
            d.models().size() - d.models().readyCount(), d.models().size(), lateReady.grace().toMillis());
      }
      if (d.terminating()) {
        stops.send(d);
      } else {
        creates.refill(d);
      }
    } else if (state instanceof Ended e && outbox.isEmpty()) {
      removal.delivered(e.retentionFrom(), e.deployment().models());
    } else if (state instanceof Rejected r && outbox.isEmpty()) {
      removal.delivered(r.at(), ModelTable.of(List.of()));
    }
  }

  /** Ended-idle is over: an ended or rejected simulation with nothing left to deliver passivates. */
  void idleOver(SimulationState state) {
    Outbox outbox = SimulationState.outboxOf(state);
    if (state instanceof Ended e && outbox.isEmpty()) {
      removal.idleOver(e.retentionFrom(), e.deployment().models());
    } else if (state instanceof Rejected r && outbox.isEmpty()) {
      removal.idleOver(r.at(), ModelTable.of(List.of()));
    }
  }
}
