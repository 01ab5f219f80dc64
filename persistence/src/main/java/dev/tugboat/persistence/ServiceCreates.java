package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationMessages.ServiceAnsweredCreate;
import dev.tugboat.persistence.SimulationState.Deployment;
import dev.tugboat.persistence.SimulationState.Model;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The Creates a simulation sends its services: asked for the models owed one while fewer than
 * create-window are unanswered, from where the last scan stopped (refilling the window as answers
 * come in costs O(1) per answer), and from the top of the model table on each tick, which re-sends
 * the unanswered ones. A service that has not accepted within create-retry-after ×
 * create-max-attempts of this incarnation's first ask is given up as FAILED, or, under
 * hold-on-failure, kept being asked (logged once). The bookkeeping is {@link CreateWindow}; whether
 * a model is still owed a Create is read from the deployment. Confined to its entity's actor.
 */
final class ServiceCreates {
  private final String simulationId;
  private final SimulationWiring wiring;
  private final ActorContext<SimulationCommand> ctx;
  private final CreateWindow window = new CreateWindow();

  ServiceCreates(String simulationId, SimulationWiring wiring, ActorContext<SimulationCommand> ctx) {
    this.simulationId = simulationId;
    this.wiring = wiring;
    this.ctx = ctx;
  }

  /** After a change: asks more if the window has room and the scan has models left. */
  void refill(Deployment d) {
    if (window.canAskMore(d.models().size(), wiring.settings().createWindow())) {
      send(d);
    }
  }

  /** The tick: the scan starts over at the top of the table, re-sending the Creates still unanswered. */
  void resend(Deployment d) {
    window.rescan();
    send(d);
  }

  private void send(Deployment d) {
    EntitySettings settings = wiring.settings();
    for (Model m : window.next(d.models(), settings.createWindow(), settings.clock().instant())) {
      String modelId = m.spec().modelId();
      ServiceSpec spec = m.spec();
      ctx.ask(CommandReply.class, wiring.directory().service(spec.serviceId()), settings.askTimeout(),
          replyTo -> new ServiceCommand.Create(spec, replyTo),
          (reply, failure) -> new ServiceAnsweredCreate(modelId, reply,
              failure == null ? null : String.valueOf(failure.getMessage())));
    }
  }

  /** The service answered, or the ask failed: the model leaves the window. */
  void answered(String modelId) {
    window.answered(modelId);
  }

  /** The service accepted, or the model's Create is given up: its deadline stops. */
  void settled(String modelId) {
    window.settled(modelId);
  }

  /**
   * The models whose service did not accept Create by the deadline at {@code now}, to report
   * FAILED (their deadline stops); none under hold-on-failure.
   */
  List<ModelEnd> overdue(Deployment d, Instant now) {
    EntitySettings settings = wiring.settings();
    Duration deadline = settings.createRetryAfter().multipliedBy(settings.createMaxAttempts());
    List<Model> overdue = window.overdue(d.models(), now.minus(deadline));
    if (overdue.isEmpty()) {
      return List.of();
    }
    if (settings.holdOnFailure()) {
      // Held: no FAILED goes to the SO; Create keeps being re-sent (one ask in flight per model,
      // once per tick) until the service takes it, and then holds on its own if creation fails.
      if (window.reportHold()) {
        ctx.getLog().error("simulation {}: {} service(s) did not accept Create within {}; held (hold-on-failure),"
            + " still re-sending Create", simulationId, overdue.size(), deadline);
      }
      return List.of();
    }
    ctx.getLog().error("simulation {}: {} service(s) never accepted Create; reporting them FAILED", simulationId,
        overdue.size());
    overdue.forEach(m -> window.settled(m.spec().modelId()));
    return overdue.stream()
        .map(m -> new ModelEnd(m.spec().modelId(), TerminationStatus.FAILED, ExitCodes.POD_NOT_CREATED,
            "its service did not accept Create within " + deadline))
        .toList();
  }
}
