package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationEvent.NotificationAbandoned;
import dev.tugboat.persistence.SimulationEvent.NotificationDelivered;
import dev.tugboat.persistence.SimulationEvent.ServiceCreateAcknowledged;
import dev.tugboat.persistence.SimulationMessages.Abandonment;
import dev.tugboat.persistence.SimulationState.Active;
import dev.tugboat.persistence.SimulationState.Deployment;
import dev.tugboat.persistence.SimulationState.Ended;
import dev.tugboat.persistence.SimulationState.Model;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.Ids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * Decides the events a simulation journals for ready reports, ends, Create acknowledgements, its
 * outbox's deliveries and the end of the wait for late ready reports, and answers a ready report
 * that comes after the end. Each item of a batch is decided against the state plus the events
 * decided before it in the same write, so duplicates (in the batch, or journaled in between) add
 * nothing, outbox ids stay consecutive, and AllModelsHaveTerminatedQueued follows the last
 * ModelTerminated in the same write, unless the end waits for late ready reports
 * ({@link LateReadyGrace#holdsEnd}). Holds no state of its own; logs the transitions it decides.
 */
final class SimulationDecider {

  /** The events of one write and the replies owed once it is written. */
  record Decision(List<SimulationEvent> events, List<OwedReply> replies) {}

  /** A reply owed once the write is done. */
  record OwedReply(ActorRef<CommandReply> replyTo, CommandReply reply) {}

  private final String simulationId;
  private final LateReadyGrace lateReady;
  private final Logger log;

  SimulationDecider(String simulationId, LateReadyGrace lateReady, Logger log) {
    this.simulationId = simulationId;
    this.lateReady = lateReady;
    this.log = log;
  }

  /** The events and replies of a batch of {@link ReportBatch.Item}s, in their order. */
  Decision decide(SimulationState state, List<ReportBatch.Item> items, Instant now) {
    SimulationState next = state;
    List<SimulationEvent> events = new ArrayList<>();
    List<OwedReply> replies = new ArrayList<>();
    for (ReportBatch.Item item : items) {
      List<SimulationEvent> decided = new ArrayList<>();
      if (item instanceof ReportBatch.Ready r) {
        replies.add(new OwedReply(r.replyTo(), ready(next, r.modelId(), now, decided)));
      } else if (item instanceof ReportBatch.End e) {
        replies.add(new OwedReply(e.replyTo(), end(next, e.end(), now, decided)));
      } else if (item instanceof ReportBatch.Deliveries d) {
        Outbox outbox = SimulationState.outboxOf(next);
        for (long id : d.outboxIds()) {
          if (outbox.contains(id)) {
            decided.add(new NotificationDelivered(simulationId, id, now));
          }
        }
        if (d.replyTo() != null) {
          replies.add(new OwedReply(d.replyTo(), CommandReply.accepted()));
        }
      } else if (item instanceof ReportBatch.Abandonments g) {
        Outbox outbox = SimulationState.outboxOf(next);
        Set<Long> decidedIds = new HashSet<>();
        for (Abandonment a : g.abandoned()) {
          if (outbox.contains(a.outboxId()) && decidedIds.add(a.outboxId())) {
            decided.add(new NotificationAbandoned(simulationId, a.outboxId(), a.reason(), now));
          }
        }
        if (g.replyTo() != null) {
          replies.add(new OwedReply(g.replyTo(), CommandReply.accepted()));
        }
      } else if (item instanceof ReportBatch.CreateAccepted a && next instanceof Active active
          && active.deployment().model(a.modelId()).filter(m -> !m.createAcknowledged()).isPresent()) {
        decided.add(new ServiceCreateAcknowledged(simulationId, a.modelId(), now));
      }
      for (SimulationEvent event : decided) {
        next = SimulationState.apply(next, event);
      }
      events.addAll(decided);
    }
    if (next instanceof Active a) {
      allTerminated(a, now).ifPresent(events::add);
    }
    return new Decision(events, replies);
  }

  /**
   * ModelReady [+ ModelsReadyQueued] into {@code events} unless already ready or ended; the reply.
   * A model that has ended already is still marked ready: its report and its pod's end travel
   * apart ({@link LateReadyGrace}).
   */
  private CommandReply ready(SimulationState state, String modelId, Instant now, List<SimulationEvent> events) {
    if (!(state instanceof Active a)) {
      return new CommandReply.Accepted("simulation ended");
    }
    Deployment d = a.deployment();
    Optional<Model> model = d.model(modelId);
    if (model.isEmpty()) {
      return new CommandReply.Rejected("unknown model '" + Ids.printable(modelId) + "'");
    }
    if (model.get().ready()) {
      return new CommandReply.Accepted("already ready");
    }
    events.add(new ModelReady(simulationId, modelId, now));
    if (d.models().readyCount() + 1 == d.models().size() && !d.modelsReadyQueued()) {
      events.add(new ModelsReadyQueued(simulationId, a.outbox().nextId(), now));
      log.info("simulation {}: every model is ready, ModelsReady queued", simulationId);
    }
    return CommandReply.accepted();
  }

  /** ModelTerminated into {@code events} unless already ended; the reply. */
  private CommandReply end(SimulationState state, ModelEnd end, Instant now, List<SimulationEvent> events) {
    if (!(state instanceof Active a)) {
      return new CommandReply.Accepted("already terminated");
    }
    Optional<Model> model = a.deployment().model(end.modelId());
    if (model.isEmpty()) {
      return new CommandReply.Rejected("unknown model '" + Ids.printable(end.modelId()) + "'");
    }
    if (model.get().termination() != null) {
      return new CommandReply.Accepted("already terminated");
    }
    events.addAll(terminations(a, List.of(end), now));
    return CommandReply.accepted();
  }

  /** ModelTerminated for each end (callers pass distinct models that have not ended yet). */
  private List<SimulationEvent> terminations(Active state, List<ModelEnd> ends, Instant now) {
    List<SimulationEvent> events = new ArrayList<>();
    long nextId = state.outbox().nextId();
    for (ModelEnd end : ends) {
      log.info("simulation {}: model {} terminated {} (exit code {})", simulationId, end.modelId(),
          end.status(), end.exitCode());
      events.add(new ModelTerminated(simulationId, end.modelId(), end.status(), end.exitCode(), end.reason(),
          nextId++, now));
    }
    return events;
  }

  /**
   * ModelTerminated for each end (distinct models that have not ended yet), followed by
   * AllModelsHaveTerminatedQueued when they end the simulation.
   */
  List<SimulationEvent> ends(Active state, List<ModelEnd> ends, Instant now) {
    List<SimulationEvent> events = terminations(state, ends, now);
    SimulationState after = state;
    for (SimulationEvent event : events) {
      after = SimulationState.apply(after, event);
    }
    if (after instanceof Active a) {
      allTerminated(a, now).ifPresent(events::add);
    }
    return events;
  }

  /**
   * AllModelsHaveTerminatedQueued once no model of {@code state} (the state after the events
   * decided so far) is left running, unless it is already queued or held for late ready reports.
   */
  private Optional<SimulationEvent> allTerminated(Active state, Instant now) {
    Deployment d = state.deployment();
    if (!d.allTerminated() || d.allTerminatedQueued() || lateReady.holdsEnd(d)) {
      return Optional.empty();
    }
    log.info("simulation {}: every model terminated, AllModelsHaveTerminated queued", simulationId);
    return Optional.of(new AllModelsHaveTerminatedQueued(simulationId, state.outbox().nextId(), now));
  }

  /**
   * The wait for late ready reports is over: AllModelsHaveTerminatedQueued without ModelsReady,
   * unless a late report completed the set and the end is queued already.
   */
  Optional<SimulationEvent> graceOver(Active state, Instant now) {
    Deployment d = state.deployment();
    if (!LateReadyGrace.waiting(d)) {
      return Optional.empty();
    }
    log.warn("simulation {}: {} of {} models ended without reporting ready within {} ms; ModelsReady"
            + " not sent, AllModelsHaveTerminated queued", simulationId, d.models().size() - d.models().readyCount(),
        d.models().size(), lateReady.grace().toMillis());
    return Optional.of(new AllModelsHaveTerminatedQueued(simulationId, state.outbox().nextId(), now));
  }

  /** A ready report after the end (and after late-ready-grace, if there was a wait): too late for ModelsReady. */
  CommandReply readyAfterEnd(Ended state, String modelId) {
    Optional<Model> model = state.deployment().model(modelId);
    if (model.isEmpty()) {
      return new CommandReply.Rejected("unknown model '" + Ids.printable(modelId) + "'");
    }
    if (!model.get().ready() && !state.deployment().modelsReadyQueued()) {
      log.warn("simulation {}: model {} reported ready after the simulation ended; ModelsReady not sent",
          simulationId, Ids.printable(modelId));
    }
    return new CommandReply.Accepted("simulation ended");
  }
}
