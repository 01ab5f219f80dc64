package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationMessages.EndedIdleOver;
import dev.tugboat.persistence.SimulationMessages.ServiceRemoved;
import dev.tugboat.persistence.SimulationMessages.SimulationRemoved;
import dev.tugboat.persistence.SimulationState.Model;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * How an incarnation of a simulation leaves. An ended, delivered simulation stays in memory until
 * it has not been read for ended-idle, then stops until its ended-retention is over (the sweeper
 * wakes it then); after that it asks each service to remove
 * itself (a service does so only once its pod is deleted), and once every one has, removes its own
 * rows and stops. Its own rows go last, so a crash at any step leaves a simulation that the next
 * sweep finds and that starts over. The sends are here, the bookkeeping is {@link SimulationExit}.
 * Confined to its entity's actor.
 */
final class RetentionRemoval {
  private final String simulationId;
  private final String persistenceId;
  private final SimulationWiring wiring;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<SimulationCommand> ctx;
  private final TimerScheduler<SimulationCommand> timers;
  private final SimulationExit exit = new SimulationExit();

  RetentionRemoval(String simulationId, String persistenceId, SimulationWiring wiring,
      ActorRef<ClusterSharding.ShardCommand> shard, ActorContext<SimulationCommand> ctx,
      TimerScheduler<SimulationCommand> timers) {
    this.simulationId = simulationId;
    this.persistenceId = persistenceId;
    this.wiring = wiring;
    this.shard = shard;
    this.ctx = ctx;
    this.timers = timers;
  }

  /** Asks the shard to passivate the entity (once). */
  void passivate() {
    if (exit.passivate()) {
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
  }

  /** The simulation's rows are gone: this incarnation only waits to be stopped. */
  boolean removed() {
    return exit.removed();
  }

  /**
   * An ended simulation, ended at {@code endedAt}, has nothing left to deliver: it passivates once
   * it has been idle for ended-idle (the wait starts now unless it is under way).
   */
  void delivered(Instant endedAt, ModelTable models) {
    step(endedAt, models, false);
  }

  /** The idle wait of an ended, delivered simulation is over: it passivates now unless a removal round started. */
  void idleOver(Instant endedAt, ModelTable models) {
    step(endedAt, models, true);
  }

  /** The simulation was read: an idle wait under way starts over. */
  void read() {
    if (timers.isTimerActive(EndedIdleOver.INSTANCE)) {
      timers.startSingleTimer(EndedIdleOver.INSTANCE, wiring.settings().endedIdle());
    }
  }

  private void step(Instant endedAt, ModelTable models, boolean idle) {
    EntitySettings settings = wiring.settings();
    switch (exit.next(settings.clock().instant(), endedAt.plus(settings.endedRetention()))) {
      case PASSIVATE -> {
        if (idle || settings.endedIdle().isZero()) {
          passivate();
        } else if (!timers.isTimerActive(EndedIdleOver.INSTANCE)) {
          timers.startSingleTimer(EndedIdleOver.INSTANCE, settings.endedIdle());
        }
      }
      case REMOVE_SERVICES -> {
        timers.cancel(EndedIdleOver.INSTANCE);
        ctx.getLog().debug("simulation {}: ended-retention over, removing its {} service(s)", simulationId,
            models.size());
        askServices(models);
      }
      case NOTHING -> { }
    }
  }

  private void askServices(ModelTable models) {
    EntitySettings settings = wiring.settings();
    for (Model m : exit.toAsk(models, settings.createWindow())) {
      String modelId = m.spec().modelId();
      ctx.ask(CommandReply.class, wiring.directory().service(m.spec().serviceId()), settings.askTimeout(),
          ServiceEntity.Remove::new,
          (reply, failure) -> new ServiceRemoved(modelId, reply, failure == null ? null : failure.getMessage()));
    }
    switch (exit.progress(models.size())) {
      case KEPT -> {
        ctx.getLog().info("simulation {}: ended-retention over, but a service still owns its pod; kept until a"
            + " later sweep", simulationId);
        passivate();
      }
      case SERVICES_REMOVED -> {
        int services = models.size();
        ctx.pipeToSelf(wiring.removal().remove(persistenceId),
            (events, failure) -> new SimulationRemoved(services, failure == null ? null : failure.getMessage()));
      }
      case UNDER_WAY -> { }
    }
  }

  /** A service of an Ended simulation with these {@code models} answered its Remove: the round goes on. */
  void serviceRemoved(ServiceRemoved msg, ModelTable models) {
    if (!exit.awaits(msg.modelId())) {
      return;
    }
    boolean removedItself = msg.reply() instanceof CommandReply.Accepted;
    if (!removedItself) {
      ctx.getLog().debug("simulation {}: service {} not removed: {}", simulationId, msg.modelId(),
          msg.reply() instanceof CommandReply.Rejected r ? r.reason() : msg.failure());
    }
    exit.answered(msg.modelId(), removedItself);
    askServices(models);
  }

  void simulationRemoved(SimulationRemoved msg) {
    exit.rowsRemoved(msg.failure() == null);
    if (msg.failure() != null) {
      ctx.getLog().warn("simulation {}: journal not removed ({}); tried again at a later sweep", simulationId,
          msg.failure());
    } else {
      ctx.getLog().info("simulation {}: removed from the journal after ended-retention, with {} service(s)",
          simulationId, msg.services());
    }
    passivate();
  }
}
