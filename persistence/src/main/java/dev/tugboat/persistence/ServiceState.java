package dev.tugboat.persistence;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tugboat.persistence.ServiceEvent.CreationQueued;
import dev.tugboat.persistence.ServiceEvent.HoldReleased;
import dev.tugboat.persistence.ServiceEvent.PodCreated;
import dev.tugboat.persistence.ServiceEvent.PodCreationStarted;
import dev.tugboat.persistence.ServiceEvent.PodDeleted;
import dev.tugboat.persistence.ServiceEvent.PodDeletionAbandoned;
import dev.tugboat.persistence.ServiceEvent.PodRunning;
import dev.tugboat.persistence.ServiceEvent.ServiceFailed;
import dev.tugboat.persistence.ServiceEvent.ServiceHeld;
import dev.tugboat.persistence.ServiceEvent.ServiceRequested;
import dev.tugboat.persistence.ServiceEvent.ServiceTerminated;
import dev.tugboat.persistence.ServiceEvent.SimulationNotified;
import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceView;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Lifecycle states of a {@link ServiceEntity}, one record per {@link ServiceView.Phase} plus Empty:
 * Requested → Creating (⇄ Queued) → Created → Running → Terminated | Failed → Deleted, and
 * Creating/Queued → Held → Creating | Failed under hold-on-failure. Immutable;
 * {@link #apply} is the event handler.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ServiceState.Empty.class, name = "Empty"),
    @JsonSubTypes.Type(value = ServiceState.Requested.class, name = "Requested"),
    @JsonSubTypes.Type(value = ServiceState.Creating.class, name = "Creating"),
    @JsonSubTypes.Type(value = ServiceState.Created.class, name = "Created"),
    @JsonSubTypes.Type(value = ServiceState.Running.class, name = "Running"),
    @JsonSubTypes.Type(value = ServiceState.Terminated.class, name = "Terminated"),
    @JsonSubTypes.Type(value = ServiceState.Failed.class, name = "Failed"),
    @JsonSubTypes.Type(value = ServiceState.Deleted.class, name = "Deleted"),
    @JsonSubTypes.Type(value = ServiceState.Queued.class, name = "Queued"),
    @JsonSubTypes.Type(value = ServiceState.Held.class, name = "Held")
})
public sealed interface ServiceState extends CborSerializable {

  /** A state that knows its spec (every state but Empty). */
  sealed interface WithSpec extends ServiceState {
    ServiceSpec spec();

    Instant at();
  }

  /** A state whose model has ended: reported to the simulation, pod deleted at {@code deleteAt}. */
  sealed interface Ended extends WithSpec {
    Ending ending();

    boolean simulationNotified();
  }

  /** How the model ended. */
  record Ending(TerminationStatus status, int exitCode, String reason, List<String> lastLogLines)
      implements CborSerializable {
    public Ending {
      lastLogLines = lastLogLines == null ? List.of() : List.copyOf(lastLogLines);
    }
  }

  /** Never asked to run. */
  record Empty(ServiceId serviceId) implements ServiceState {}

  /** Asked to run; CreatePod not yet handed to the gateway. */
  record Requested(ServiceSpec spec, Instant at) implements WithSpec {}

  /** CreatePod handed to the gateway; no answer or pod yet. */
  record Creating(ServiceSpec spec, Instant at) implements WithSpec {}

  /**
   * CreatePod waits in the gateway's admission queue (pod cap or quota): a long wait is no failure.
   * position and reason are those of the first Queued notice.
   */
  record Queued(ServiceSpec spec, int position, String reason, Instant at) implements WithSpec {}

  /** Creation ran out of retries and hold-on-failure is on: waits for an operator's Retry or Abandon. */
  record Held(ServiceSpec spec, String reason, Instant at) implements WithSpec {}

  /** The pod exists; its container is not running yet. */
  record Created(ServiceSpec spec, Instant at) implements WithSpec {}

  /** The model container runs. */
  record Running(ServiceSpec spec, Instant at) implements WithSpec {}

  /** The container ended (or the pod was lost). */
  record Terminated(ServiceSpec spec, Ending ending, Instant deleteAt, boolean simulationNotified, Instant at)
      implements Ended {}

  /** The pod could never be created. */
  record Failed(ServiceSpec spec, Ending ending, Instant deleteAt, boolean simulationNotified, Instant at)
      implements Ended {}

  /** The pod is deleted (or deletion was abandoned: {@code deletionProblem} is set). */
  record Deleted(ServiceSpec spec, Ending ending, boolean failed, boolean simulationNotified, String deletionProblem,
      Instant at) implements Ended {}

  /** The event handler: the state after {@code event}. Unknown combinations leave the state unchanged. */
  static ServiceState apply(ServiceState state, ServiceEvent event) {
    if (state instanceof Empty && event instanceof ServiceRequested e) {
      return new Requested(e.spec(), e.at());
    }
    if (!(state instanceof WithSpec ws)) {
      return state;
    }
    ServiceSpec spec = ws.spec();
    boolean beforeCreated = isBeforeCreated(state);
    boolean live = beforeCreated || state instanceof Created || state instanceof Running;
    if (event instanceof PodCreationStarted e && state instanceof Requested) {
      return new Creating(spec, e.at());
    }
    if (event instanceof CreationQueued e && (state instanceof Requested || state instanceof Creating)) {
      return new Queued(spec, e.position(), e.reason(), e.at());
    }
    if (event instanceof ServiceHeld e && beforeCreated && !(state instanceof Held)) {
      return new Held(spec, e.reason(), e.at());
    }
    if (event instanceof HoldReleased e && state instanceof Held) {
      return new Creating(spec, e.at());
    }
    // A Held service may still learn that its pod exists after all (a late answer or observation).
    if (event instanceof PodCreated e && (beforeCreated || state instanceof Held)) {
      return new Created(spec, e.at());
    }
    if (event instanceof PodRunning e && live && !(state instanceof Running)) {
      return new Running(spec, e.at());
    }
    if (event instanceof ServiceTerminated e && live) {
      return new Terminated(spec, new Ending(e.status(), e.exitCode(), e.reason(), e.lastLogLines()), e.deleteAt(),
          false, e.at());
    }
    if (event instanceof ServiceFailed e && live) {
      return new Failed(spec, new Ending(TerminationStatus.FAILED, e.exitCode(), e.reason(), List.of()),
          e.deleteAt(), false, e.at());
    }
    if (event instanceof SimulationNotified e) {
      if (state instanceof Terminated t) {
        return new Terminated(spec, t.ending(), t.deleteAt(), true, t.at());
      }
      if (state instanceof Failed f) {
        return new Failed(spec, f.ending(), f.deleteAt(), true, f.at());
      }
      if (state instanceof Deleted d) {
        return new Deleted(spec, d.ending(), d.failed(), true, d.deletionProblem(), d.at());
      }
    }
    if ((event instanceof PodDeleted || event instanceof PodDeletionAbandoned)
        && (state instanceof Terminated || state instanceof Failed)) {
      Ended en = (Ended) state;
      String problem = event instanceof PodDeletionAbandoned a ? a.reason() : null;
      return new Deleted(spec, en.ending(), state instanceof Failed, en.simulationNotified(), problem, event.at());
    }
    return state;
  }

  /** Before the pod is known to exist: Requested, Creating, Queued, Held. */
  static boolean isBeforeCreated(ServiceState state) {
    return state instanceof Requested || state instanceof Creating || state instanceof Queued
        || state instanceof Held;
  }

  /** The deletion deadline of an ended, not yet deleted service. */
  static Optional<Instant> deleteAt(ServiceState state) {
    if (state instanceof Terminated t) {
      return Optional.of(t.deleteAt());
    }
    if (state instanceof Failed f) {
      return Optional.of(f.deleteAt());
    }
    return Optional.empty();
  }

  /** The HTTP view, or empty for Empty. */
  static Optional<ServiceView> view(ServiceState state) {
    if (!(state instanceof WithSpec ws)) {
      return Optional.empty();
    }
    ServiceSpec s = ws.spec();
    ServiceView.Phase phase;
    if (state instanceof Requested) {
      phase = ServiceView.Phase.REQUESTED;
    } else if (state instanceof Creating) {
      phase = ServiceView.Phase.CREATING;
    } else if (state instanceof Queued) {
      phase = ServiceView.Phase.QUEUED;
    } else if (state instanceof Held) {
      phase = ServiceView.Phase.HELD;
    } else if (state instanceof Created) {
      phase = ServiceView.Phase.CREATED;
    } else if (state instanceof Running) {
      phase = ServiceView.Phase.RUNNING;
    } else if (state instanceof Terminated) {
      phase = ServiceView.Phase.TERMINATED;
    } else if (state instanceof Failed) {
      phase = ServiceView.Phase.FAILED;
    } else {
      phase = ServiceView.Phase.DELETED;
    }
    Ending ending = state instanceof Ended en ? en.ending() : null;
    String reason = ending == null ? null : ending.reason();
    if (state instanceof Queued q) {
      reason = "waiting for admission at queue position " + q.position() + ": " + q.reason();
    } else if (state instanceof Held h) {
      reason = "held for an operator (retry or abandon): " + h.reason();
    }
    if (state instanceof Deleted d && d.deletionProblem() != null) {
      reason = (reason == null ? "" : reason + "; ") + "pod deletion abandoned: " + d.deletionProblem();
    }
    return Optional.of(new ServiceView(s.simulatorId(), s.simulationId(), s.modelId(), s.podName(), s.imageUrl(),
        phase,
        ending == null ? null : ending.status(),
        ending == null ? null : ending.exitCode(),
        reason,
        ending == null ? List.of() : ending.lastLogLines(),
        deleteAt(state).orElse(null),
        ws.at()));
  }
}
