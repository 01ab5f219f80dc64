package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationEvent.TerminationRequested;
import dev.tugboat.persistence.SimulationMessages.ServiceAnsweredStop;
import dev.tugboat.persistence.SimulationState.Active;
import dev.tugboat.persistence.SimulationState.Deployment;
import dev.tugboat.persistence.SimulationState.Model;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationCommand.Terminate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * An operator's termination of an active simulation: journaled once (TerminationRequested), then
 * each model that has not ended is asked to stop, create-window at a time, until its service
 * accepts; the service deletes its pod and reports the end (FAILED, {@link ExitCodes#TERMINATED})
 * like any other, and the simulation ends as usual. A service that refuses (it holds another spec)
 * can never report, so its model's end is recorded here. The bookkeeping is {@link StopWindow};
 * the lifecycle stays the entity's. Confined to its entity's actor.
 */
final class ServiceStops {
  private final String simulationId;
  private final SimulationWiring wiring;
  private final SimulationDecider decider;
  private final ActorContext<SimulationCommand> ctx;
  private final EffectFactories<SimulationEvent, SimulationState> effect;
  private final Consumer<SimulationState> afterChange;
  private StopWindow window = StopWindow.empty();

  ServiceStops(String simulationId, SimulationWiring wiring, SimulationDecider decider,
      ActorContext<SimulationCommand> ctx, EffectFactories<SimulationEvent, SimulationState> effect,
      Consumer<SimulationState> afterChange) {
    this.simulationId = simulationId;
    this.wiring = wiring;
    this.decider = decider;
    this.ctx = ctx;
    this.effect = effect;
    this.afterChange = afterChange;
  }

  /** Terminate on an active simulation: Accepted once journaled; again Accepted while under way. */
  ReplyEffect<SimulationEvent, SimulationState> terminate(Active state, Terminate cmd) {
    Deployment d = state.deployment();
    if (d.terminating()) {
      return effect.none().thenReply(cmd.replyTo(), s -> new CommandReply.Accepted("already terminating"));
    }
    String who = cmd.who() == null || cmd.who().isBlank() ? "unknown" : cmd.who();
    String reason = cmd.reason() == null || cmd.reason().isBlank() ? "no reason given" : cmd.reason();
    ctx.getLog().info("simulation {}: terminated by {} ({}), stopping {} of {} model(s)", simulationId,
        Ids.printable(who), Ids.printable(reason), d.models().size() - d.models().terminatedCount(),
        d.models().size());
    Instant now = wiring.settings().clock().instant();
    return effect.persist(new TerminationRequested(simulationId, reason, who, now))
        .thenRun(afterChange::accept)
        .thenReply(cmd.replyTo(), s -> new CommandReply.Accepted("terminating"));
  }

  /** After a change and on each tick of a terminating simulation: asks the models due. */
  void send(Deployment d) {
    if (!d.terminating()) {
      return;
    }
    EntitySettings settings = wiring.settings();
    List<Model> due = window.due(d.models(), settings.createWindow());
    if (due.isEmpty()) {
      return;
    }
    String reason = "terminated by " + d.termination().who() + ": " + d.termination().reason();
    ctx.getLog().debug("simulation {}: asking {} service(s) to stop", simulationId, due.size());
    for (Model m : due) {
      ServiceSpec spec = m.spec();
      String modelId = spec.modelId();
      ctx.ask(CommandReply.class, wiring.directory().service(spec.serviceId()), settings.askTimeout(),
          replyTo -> new ServiceCommand.Terminate(spec, reason, replyTo),
          (reply, failure) -> new ServiceAnsweredStop(modelId, reply,
              failure == null ? null : String.valueOf(failure.getMessage())));
    }
    window = window.asked(due.stream().map(m -> m.spec().modelId()).toList());
  }

  /** A service answered Terminate, or the ask failed (its model is asked again on the next scan). */
  ReplyEffect<SimulationEvent, SimulationState> answered(Active state, ServiceAnsweredStop msg) {
    window = window.answered(msg.modelId(), msg.reply() instanceof CommandReply.Accepted);
    Optional<Model> model = state.deployment().model(msg.modelId());
    if (msg.reply() == null) {
      ctx.getLog().debug("simulation {}: Terminate to service {} unanswered ({}), asking again", simulationId,
          msg.modelId(), msg.failure());
    }
    if (!(msg.reply() instanceof CommandReply.Rejected r) || model.isEmpty() || model.get().termination() != null) {
      return effect.none().thenNoReply();
    }
    ctx.getLog().error("simulation {}: service {} refused Terminate: {}", simulationId, msg.modelId(), r.reason());
    ModelEnd end = new ModelEnd(msg.modelId(), TerminationStatus.FAILED, ExitCodes.TERMINATED,
        "terminated; its service refused to stop: " + r.reason());
    return effect.persist(decider.ends(state, List.of(end), wiring.settings().clock().instant()))
        .thenRun(afterChange::accept).thenNoReply();
  }
}
