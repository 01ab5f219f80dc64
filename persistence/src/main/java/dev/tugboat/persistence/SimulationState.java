package dev.tugboat.persistence;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.DeploymentRejected;
import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationEvent.NotificationAbandoned;
import dev.tugboat.persistence.SimulationEvent.NotificationDelivered;
import dev.tugboat.persistence.SimulationEvent.ServiceCreateAcknowledged;
import dev.tugboat.persistence.SimulationEvent.SimulationDeployed;
import dev.tugboat.persistence.SimulationEvent.TerminationRequested;
import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.simulation.ModelPhase;
import dev.tugboat.protocol.simulation.SimulationView;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Lifecycle states of a {@link SimulationEntity}: Empty (nothing journaled) → Active (deploying or
 * ready) → Ended (every model terminated); or Empty → Rejected (invalid DeployModels). Immutable;
 * {@link #apply} is the event handler.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SimulationState.Empty.class, name = "Empty"),
    @JsonSubTypes.Type(value = SimulationState.Active.class, name = "Active"),
    @JsonSubTypes.Type(value = SimulationState.Ended.class, name = "Ended"),
    @JsonSubTypes.Type(value = SimulationState.Rejected.class, name = "Rejected")
})
public sealed interface SimulationState extends CborSerializable {

  /** Never deployed. */
  record Empty(String simulationId) implements SimulationState {}

  /** Deployed; services are being created or running. */
  record Active(Deployment deployment, Outbox outbox) implements SimulationState {}

  /**
   * Every model has terminated; only the outbox may still hold work. endedAt (when
   * AllModelsHaveTerminated was queued) starts the ended-retention; a snapshot written without it
   * reads as null, and the retention then counts from the deployment.
   */
  record Ended(Deployment deployment, Outbox outbox, Instant endedAt) implements SimulationState {

    /** When the ended-retention starts counting. */
    @JsonIgnore
    public Instant retentionFrom() {
      return endedAt != null ? endedAt : deployment.deployedAt();
    }
  }

  /** The DeployModels was invalid; the FAILED reports for its models sit in the outbox. */
  record Rejected(
      String simulationId, String simulatorId, String reason, List<String> modelIds, Instant at, Outbox outbox)
      implements SimulationState {
    public Rejected {
      modelIds = List.copyOf(modelIds);
    }
  }

  /**
   * What a deployed simulation knows. The models sit in a {@link ModelTable} so that one model's
   * change costs O(1) amortised, not a copy of every model (10,000-model simulations).
   * {@code termination} is set once an operator terminated it (null otherwise, and in snapshots
   * written without it).
   */
  record Deployment(
      String simulationId, String simulatorId, double keepLogsHours, Instant deployedAt, ModelTable models,
      boolean modelsReadyQueued, boolean allTerminatedQueued, TerminationRequest termination)
      implements CborSerializable {

    /** Whether an operator terminated the simulation. */
    @JsonIgnore
    public boolean terminating() {
      return termination != null;
    }

    public Optional<Model> model(String modelId) {
      return models.byId(modelId);
    }

    @JsonIgnore
    public List<ServiceSpec> services() {
      return models.stream().map(Model::spec).toList();
    }

    @JsonIgnore
    public boolean allReady() {
      return models.readyCount() == models.size();
    }

    @JsonIgnore
    public boolean allTerminated() {
      return models.terminatedCount() == models.size();
    }

    Deployment withModel(Model updated) {
      return new Deployment(simulationId, simulatorId, keepLogsHours, deployedAt, models.with(updated),
          modelsReadyQueued, allTerminatedQueued, termination);
    }
  }

  /** Who terminated a simulation, why, and when. */
  record TerminationRequest(String reason, String who, Instant at) implements CborSerializable {}

  /**
   * One model: its service spec, whether its service accepted Create, readiness and end, and when
   * each happened (null until then; a snapshot written without the times reads them as null).
   */
  record Model(ServiceSpec spec, boolean createAcknowledged, boolean ready, Termination termination,
      Instant acceptedAt, Instant readyAt, Instant endedAt) implements CborSerializable {

    @JsonCreator
    public Model {}

    /** A model without times. */
    Model(ServiceSpec spec, boolean createAcknowledged, boolean ready, Termination termination) {
      this(spec, createAcknowledged, ready, termination, null, null, null);
    }

    Model withAccepted(Instant at) {
      return new Model(spec, true, ready, termination, acceptedAt != null ? acceptedAt : at, readyAt, endedAt);
    }

    Model withReady(Instant at) {
      return new Model(spec, createAcknowledged, true, termination, acceptedAt, readyAt != null ? readyAt : at,
          endedAt);
    }

    Model withEnd(Termination how, Instant at) {
      return new Model(spec, createAcknowledged, ready, how, acceptedAt, readyAt, at);
    }

    @JsonIgnore
    public ModelPhase phase() {
      return ModelPhase.of(createAcknowledged, ready, termination == null ? null : termination.status());
    }
  }

  /** How a model ended. */
  record Termination(TerminationStatus status, int exitCode, String reason) implements CborSerializable {}

  /** The event handler: the state after {@code event}. Unknown combinations leave the state unchanged. */
  static SimulationState apply(SimulationState state, SimulationEvent event) {
    if (state instanceof Empty && event instanceof SimulationDeployed e) {
      List<Model> models = e.services().stream().map(s -> new Model(s, false, false, null)).toList();
      return new Active(new Deployment(e.simulationId(), e.simulatorId(), e.keepLogsHours(), e.at(),
          ModelTable.of(models), false, false, null), Outbox.empty());
    }
    if (state instanceof Empty && event instanceof DeploymentRejected e) {
      Outbox outbox = Outbox.empty();
      for (String modelId : e.modelIds()) {
        outbox = outbox.add(outbox.nextId(), new Notification.ModelHasTerminated(e.simulationId(), modelId,
            TerminationStatus.FAILED, ExitCodes.INVALID_CONFIGURATION));
      }
      outbox = outbox.add(outbox.nextId(), new Notification.AllModelsHaveTerminated(e.simulationId()));
      return new Rejected(e.simulationId(), e.simulatorId(), e.reason(), e.modelIds(), e.at(), outbox);
    }
    if (event instanceof NotificationDelivered e) {
      return withOutbox(state, o -> o.remove(e.outboxId()));
    }
    if (event instanceof NotificationAbandoned e) {
      return withOutbox(state, o -> o.abandon(e.outboxId(), e.reason(), e.at()));
    }
    if (state instanceof Active a) {
      Deployment d = a.deployment();
      if (event instanceof ServiceCreateAcknowledged e) {
        return d.model(e.modelId())
            .map(m -> (SimulationState) new Active(d.withModel(m.withAccepted(e.at())), a.outbox()))
            .orElse(state);
      }
      if (event instanceof ModelReady e) {
        return d.model(e.modelId())
            .map(m -> (SimulationState) new Active(d.withModel(m.withReady(e.at())), a.outbox()))
            .orElse(state);
      }
      if (event instanceof ModelsReadyQueued e) {
        Deployment next = new Deployment(d.simulationId(), d.simulatorId(), d.keepLogsHours(), d.deployedAt(),
            d.models(), true, d.allTerminatedQueued(), d.termination());
        return new Active(next, a.outbox().add(e.outboxId(), new Notification.ModelsReady(d.simulationId())));
      }
      if (event instanceof ModelTerminated e) {
        return d.model(e.modelId())
            .map(m -> (SimulationState) new Active(
                d.withModel(m.withEnd(new Termination(e.status(), e.exitCode(), e.reason()), e.at())),
                a.outbox().add(e.outboxId(), new Notification.ModelHasTerminated(d.simulationId(), e.modelId(),
                    e.status(), e.exitCode()))))
            .orElse(state);
      }
      if (event instanceof TerminationRequested e && !d.terminating()) {
        Deployment next = new Deployment(d.simulationId(), d.simulatorId(), d.keepLogsHours(), d.deployedAt(),
            d.models(), d.modelsReadyQueued(), d.allTerminatedQueued(),
            new TerminationRequest(e.reason(), e.who(), e.at()));
        return new Active(next, a.outbox());
      }
      if (event instanceof AllModelsHaveTerminatedQueued e) {
        Deployment next = new Deployment(d.simulationId(), d.simulatorId(), d.keepLogsHours(), d.deployedAt(),
            d.models(), d.modelsReadyQueued(), true, d.termination());
        return new Ended(next,
            a.outbox().add(e.outboxId(), new Notification.AllModelsHaveTerminated(d.simulationId())), e.at());
      }
    }
    return state;
  }

  /** The outbox of {@code state}; Empty owes nothing: an empty one. */
  static Outbox outboxOf(SimulationState state) {
    if (state instanceof Active a) {
      return a.outbox();
    }
    if (state instanceof Ended e) {
      return e.outbox();
    }
    if (state instanceof Rejected r) {
      return r.outbox();
    }
    return Outbox.empty();
  }

  /** {@code state} with its outbox changed by {@code change} (Empty has none: unchanged). */
  private static SimulationState withOutbox(SimulationState state, UnaryOperator<Outbox> change) {
    if (state instanceof Active a) {
      return new Active(a.deployment(), change.apply(a.outbox()));
    }
    if (state instanceof Ended e) {
      return new Ended(e.deployment(), change.apply(e.outbox()), e.endedAt());
    }
    if (state instanceof Rejected r) {
      return new Rejected(r.simulationId(), r.simulatorId(), r.reason(), r.modelIds(), r.at(),
          change.apply(r.outbox()));
    }
    return state;
  }

  /** The HTTP view of this state, or empty for Empty. */
  static Optional<SimulationView> view(SimulationState state) {
    if (state instanceof Active a) {
      return Optional.of(view(a.deployment(), a.outbox(),
          a.deployment().modelsReadyQueued() ? SimulationView.Phase.READY : SimulationView.Phase.DEPLOYING));
    }
    if (state instanceof Ended e) {
      return Optional.of(view(e.deployment(), e.outbox(), SimulationView.Phase.ENDED));
    }
    if (state instanceof Rejected r) {
      List<SimulationView.Model> models = r.modelIds().stream()
          .map(id -> new SimulationView.Model(id, null, ModelPhase.FAILED, false, true, TerminationStatus.FAILED,
              ExitCodes.INVALID_CONFIGURATION, r.reason(), null, null, r.at()))
          .toList();
      boolean allSent = !owedOrAbandoned(r.outbox(), Notification.AllModelsHaveTerminated.class);
      return Optional.of(new SimulationView(r.simulationId(), r.simulatorId(), SimulationView.Phase.REJECTED,
          r.reason(), 0, r.at(), models, false, allSent, r.outbox().pending().size(), abandoned(r.outbox())));
    }
    return Optional.empty();
  }

  private static SimulationView view(Deployment d, Outbox outbox, SimulationView.Phase phase) {
    List<SimulationView.Model> models = d.models().stream()
        .map(m -> new SimulationView.Model(m.spec().modelId(), m.spec().podName(), m.phase(), m.ready(),
            m.termination() != null,
            m.termination() == null ? null : m.termination().status(),
            m.termination() == null ? null : m.termination().exitCode(),
            m.termination() == null ? null : m.termination().reason(),
            m.acceptedAt(), m.readyAt(), m.endedAt()))
        .toList();
    boolean readyUnsent = owedOrAbandoned(outbox, Notification.ModelsReady.class);
    boolean allUnsent = owedOrAbandoned(outbox, Notification.AllModelsHaveTerminated.class);
    String reason = d.terminating()
        ? "terminated by " + d.termination().who() + ": " + d.termination().reason() : null;
    return new SimulationView(d.simulationId(), d.simulatorId(), phase, reason, d.keepLogsHours(), d.deployedAt(),
        models, d.modelsReadyQueued() && !readyUnsent, d.allTerminatedQueued() && !allUnsent,
        outbox.pending().size(), abandoned(outbox));
  }

  /** A notification of this kind is still owed or was given up: either way it has not been sent. */
  private static boolean owedOrAbandoned(Outbox outbox, Class<? extends Notification> kind) {
    return outbox.pending().stream().anyMatch(en -> kind.isInstance(en.notification()))
        || outbox.abandoned().stream().anyMatch(a -> kind.isInstance(a.notification()));
  }

  private static List<SimulationView.AbandonedNotification> abandoned(Outbox outbox) {
    return outbox.abandoned().stream()
        .map(a -> new SimulationView.AbandonedNotification(a.id(), a.notification().getClass().getSimpleName(),
            a.notification() instanceof Notification.ModelHasTerminated m ? m.modelId() : null, a.reason(), a.at()))
        .toList();
  }
}
