package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationEvent.NotificationAbandoned;
import dev.tugboat.persistence.SimulationMessages.Flush;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The report batch's writes: items are held in a {@link ReportBatch} until the next Flush, then
 * written in one atomic write as {@link SimulationDecider#decide} decides, and their replies sent.
 * Confined to its entity's actor.
 */
final class ReportWrites {
  private final String simulationId;
  private final SimulationWiring wiring;
  private final SimulationDecider decider;
  private final ActorContext<SimulationCommand> ctx;
  private final EffectFactories<SimulationEvent, SimulationState> effect;
  private final ReportBatch batch = new ReportBatch();

  ReportWrites(String simulationId, SimulationWiring wiring, SimulationDecider decider,
      ActorContext<SimulationCommand> ctx, EffectFactories<SimulationEvent, SimulationState> effect) {
    this.simulationId = simulationId;
    this.wiring = wiring;
    this.decider = decider;
    this.ctx = ctx;
    this.effect = effect;
  }

  /**
   * Holds {@code item} for the next Flush ({@link ReportBatch}); its reply, if any, is sent once the
   * batch is written.
   */
  ReplyEffect<SimulationEvent, SimulationState> buffer(ReportBatch.Item item) {
    if (batch.add(item)) {
      ctx.getSelf().tell(Flush.INSTANCE);
    }
    return effect.none().thenNoReply();
  }

  /**
   * Writes the buffered batch in one atomic write (none: no write), decided against {@code state}
   * ({@link SimulationDecider#decide}), and then sends its replies.
   */
  EffectBuilder<SimulationEvent, SimulationState> write(SimulationState state) {
    SimulationDecider.Decision decision = decider.decide(state, batch.drain(), wiring.settings().clock().instant());
    List<SimulationEvent> events = decision.events();
    EffectBuilder<SimulationEvent, SimulationState> written =
        events.isEmpty() ? effect.none() : effect.persist(events);
    long started = System.nanoTime();
    return written.thenRun(s -> {
      events.forEach(this::reportAbandoned);
      decision.replies().forEach(r -> r.replyTo().tell(r.reply()));
      if (ctx.getLog().isDebugEnabled()) {
        ctx.getLog().debug("simulation {}: wrote {} events, answered {} commands, in {} ms", simulationId,
            events.size(), decision.replies().size(), (System.nanoTime() - started) / 1_000_000);
      }
    });
  }

  /** Once per abandoned notification (only the write that removed it from the outbox journals it). */
  private void reportAbandoned(SimulationEvent event) {
    if (event instanceof NotificationAbandoned a) {
      wiring.abandoned().increment();
      ctx.getLog().error("simulation {}: outbox entry {} abandoned, it can never be published: {}",
          Ids.printable(simulationId), a.outboxId(), a.reason());
    }
  }
}
