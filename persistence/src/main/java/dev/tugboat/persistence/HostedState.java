package dev.tugboat.persistence;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tugboat.persistence.HostedEvent.DeletionStarted;
import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.persistence.HostedEvent.HostedCreated;
import dev.tugboat.persistence.HostedEvent.HostedDeleted;
import dev.tugboat.persistence.HostedEvent.PodRemoved;
import dev.tugboat.persistence.HostedEvent.ReplicaFailed;
import dev.tugboat.persistence.HostedEvent.ReplicaObserved;
import dev.tugboat.persistence.HostedEvent.ReplicaRemoved;
import dev.tugboat.persistence.HostedEvent.ReplicaStarted;
import dev.tugboat.persistence.HostedEvent.RestartFinished;
import dev.tugboat.persistence.HostedEvent.RestartStarted;
import dev.tugboat.persistence.HostedEvent.Scaled;
import dev.tugboat.protocol.hosted.HostedEndpoint;
import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.HostedStatus;
import dev.tugboat.protocol.hosted.HostedView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lifecycle of a hosted service (docs/state-machines.md, *HostedServiceEntity*): Empty (never
 * created, or deleted: the name is free) → Active (runs and scales) ⇄ Restarting (replaces its
 * replicas one at a time) → Deleting (removes its pods) → Empty. Event handlers return new states.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = HostedState.Empty.class, name = "Empty"),
    @JsonSubTypes.Type(value = HostedState.Active.class, name = "Active"),
    @JsonSubTypes.Type(value = HostedState.Restarting.class, name = "Restarting"),
    @JsonSubTypes.Type(value = HostedState.Deleting.class, name = "Deleting")
})
sealed interface HostedState extends CborSerializable {

  String name();

  HostedState apply(HostedEvent event);

  /**
   * No service of this name. generationFloor: the first generation a new incarnation's pods get,
   * above every earlier one's, so that no pod name is ever used twice for the name.
   */
  record Empty(String name, long generationFloor) implements HostedState {
    @Override
    public HostedState apply(HostedEvent event) {
      if (event instanceof HostedCreated c) {
        return new Active(c.spec(), ReplicaSet.empty(name), c.spec().replicas().min(), generationFloor, c.at(),
            c.at());
      }
      return this;
    }
  }

  /** A service that exists: its spec, replicas, the replicas it wants, and its first generation. */
  sealed interface Existing extends HostedState {
    HostedSpec spec();

    ReplicaSet replicas();

    long generationFloor();

    Instant createdAt();

    Instant updatedAt();

    HostedView.Phase phase();

    int desired();

    @JsonIgnore
    default String name() {
      return spec().name();
    }

    @JsonIgnore
    default HostedStatus status() {
      return replicas().status();
    }

    @JsonIgnore
    default HostedView view() {
      return new HostedView(spec(), phase(), status(), desired(), replicas().views(), createdAt(), updatedAt());
    }

    /** What every node's proxy needs of it. */
    @JsonIgnore
    default HostedEndpoint endpoint() {
      return new HostedEndpoint(name(), spec().owner(), spec().publishedPorts(),
          phase() == HostedView.Phase.DELETING ? List.of() : replicas().ready());
    }
  }

  /** Runs its replicas and scales between min and max. */
  record Active(HostedSpec spec, ReplicaSet replicas, int desired, long generationFloor, Instant createdAt,
                Instant updatedAt) implements Existing {
    @Override
    public HostedView.Phase phase() {
      return HostedView.Phase.ACTIVE;
    }

    @Override
    public HostedState apply(HostedEvent event) {
      Instant at = event.at();
      if (event instanceof RestartStarted r) {
        Map<Integer, Long> from = new HashMap<>();
        r.slots().forEach(s -> replicas.slot(s).ifPresent(rep -> from.put(s, rep.generation())));
        return new Restarting(spec, replicas, desired, generationFloor, List.copyOf(r.slots()), from, createdAt, at);
      }
      if (event instanceof DeletionStarted d) {
        return new Deleting(spec, replicas, new LinkedHashSet<>(d.pods()), generationFloor, createdAt, at);
      }
      if (event instanceof Scaled s) {
        return new Active(spec, replicas, s.replicas(), generationFloor, createdAt, at);
      }
      ReplicaSet next = Replicas.apply(replicas, event);
      return next == replicas ? this : new Active(spec, next, desired, Replicas.floor(generationFloor, replicas, event),
          createdAt, at);
    }
  }

  /**
   * Replaces the replicas of {@code remaining} one at a time, in order: the head slot gets a pod
   * of a new generation (above {@code from}, its generation when the restart started), and once
   * that pod is ready (or its slot failed for good) the next slot follows.
   */
  record Restarting(HostedSpec spec, ReplicaSet replicas, int desired, long generationFloor, List<Integer> remaining,
                    Map<Integer, Long> from, Instant createdAt, Instant updatedAt) implements Existing {
    public Restarting {
      remaining = List.copyOf(remaining);
      from = Map.copyOf(from);
    }

    @Override
    public HostedView.Phase phase() {
      return HostedView.Phase.RESTARTING;
    }

    /** Whether the head slot has its new-generation pod asked for already. */
    @JsonIgnore
    boolean headReplaced() {
      int head = remaining.get(0);
      return replicas.slot(head).map(r -> r.generation() > from.getOrDefault(head, -1L)).orElse(true);
    }

    @Override
    public HostedState apply(HostedEvent event) {
      Instant at = event.at();
      if (event instanceof RestartFinished) {
        return new Active(spec, replicas, desired, generationFloor, createdAt, at);
      }
      if (event instanceof DeletionStarted d) {
        return new Deleting(spec, replicas, new LinkedHashSet<>(d.pods()), generationFloor, createdAt, at);
      }
      ReplicaSet next = Replicas.apply(replicas, event);
      List<Integer> left = new ArrayList<>(remaining);
      // The head is done once its new pod is ready, or its slot failed for good or went away.
      while (!left.isEmpty()) {
        int head = left.get(0);
        var r = next.slot(head);
        boolean done = r.isEmpty() || r.get().givenUp()
            || (r.get().generation() > from.getOrDefault(head, -1L) && r.get().ready());
        if (!done) {
          break;
        }
        left.remove(0);
      }
      return new Restarting(spec, next, desired, Replicas.floor(generationFloor, replicas, event), left, from,
          createdAt, at);
    }
  }

  /** Deletes {@code pods}; once none is left, the service ends. */
  record Deleting(HostedSpec spec, ReplicaSet replicas, Set<String> pods, long generationFloor, Instant createdAt,
                  Instant updatedAt) implements Existing {
    public Deleting {
      pods = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(pods));
    }

    @Override
    public HostedView.Phase phase() {
      return HostedView.Phase.DELETING;
    }

    @Override
    public int desired() {
      return 0;
    }

    @Override
    public HostedStatus status() {
      return pods.isEmpty() ? HostedStatus.COMPLETE : HostedStatus.STOPPING;
    }

    @Override
    public HostedState apply(HostedEvent event) {
      if (event instanceof PodRemoved r) {
        Set<String> left = new LinkedHashSet<>(pods);
        left.remove(r.podName());
        return new Deleting(spec, replicas, left, generationFloor, createdAt, r.at());
      }
      if (event instanceof HostedDeleted) {
        return new Empty(spec.name(), Math.max(generationFloor, replicas.generationCeiling()));
      }
      return this;
    }
  }

  /** The replica events, the same in Active and Restarting. */
  final class Replicas {
    private Replicas() {}

    /**
     * The generation floor after {@code event}: above a removed slot's generation, so that the
     * slot, when it is used again, never gets a pod name it had.
     */
    static long floor(long floor, ReplicaSet before, HostedEvent event) {
      if (event instanceof ReplicaRemoved r) {
        return before.slot(r.slot()).map(rep -> Math.max(floor, rep.generation() + 1)).orElse(floor);
      }
      return floor;
    }

    static ReplicaSet apply(ReplicaSet replicas, HostedEvent event) {
      if (event instanceof ReplicaStarted s) {
        return replicas.started(s.slot(), s.generation(), s.at());
      }
      if (event instanceof ReplicaObserved o) {
        return replicas.observed(o.slot(), o.generation(), o.status(), o.ready(), o.podIp(), o.at());
      }
      if (event instanceof ReplicaFailed f) {
        return replicas.failed(f.slot(), f.generation(), f.reason(), f.failuresInRow(), f.replaceAt());
      }
      if (event instanceof ReplicaRemoved r) {
        return replicas.removed(r.slot());
      }
      return replicas;
    }
  }
}
