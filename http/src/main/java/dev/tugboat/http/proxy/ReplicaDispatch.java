package dev.tugboat.http.proxy;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Which ready replica gets the next request on this node: the one with the fewest requests in
 * flight here, ties broken round robin. A replica that refused a connection sits out for
 * {@code refusedPause} (the entity learns its readiness from Kubernetes; this only keeps the node
 * from sending more to it meanwhile). Counts are per node; {@link #drainReports} hands them to the
 * load reporter. Choosing and counting for one service happen under that service's map entry, so
 * a count and its removal never race; a {@link Lease} is released from any thread.
 */
public final class ReplicaDispatch {

  /**
   * Rounds of reports a service may stay idle before it is forgotten. Its turn survives short
   * pauses, so that a service with little traffic does not start every burst at its first replica.
   */
  static final int FORGET_AFTER_IDLE_ROUNDS = 600;

  private final ConcurrentHashMap<String, ServiceLoad> services = new ConcurrentHashMap<>();
  private final long refusedPauseNanos;
  private final LongSupplier nanoClock;

  public ReplicaDispatch(Duration refusedPause, LongSupplier nanoClock) {
    this.refusedPauseNanos = refusedPause.toNanos();
    this.nanoClock = nanoClock;
  }

  /** One request counted against one replica until it is released (once; later calls do nothing). */
  public static final class Lease {
    private final ProxiedService.Replica replica;
    private final AtomicInteger inFlight;
    private final AtomicBoolean released = new AtomicBoolean();

    Lease(ProxiedService.Replica replica, AtomicInteger inFlight) {
      this.replica = replica;
      this.inFlight = inFlight;
    }

    public ProxiedService.Replica replica() {
      return replica;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        inFlight.decrementAndGet();
      }
    }
  }

  /** The replica for the next request to {@code service}, counted; empty when none of its ready replicas is in rotation. */
  public Optional<Lease> acquire(ProxiedService service) {
    List<ProxiedService.Replica> ready = service.ready();
    if (ready.isEmpty()) {
      return Optional.empty();
    }
    Lease[] chosen = new Lease[1];
    long now = nanoClock.getAsLong();
    services.compute(service.name(), (name, existing) -> {
      ServiceLoad load = existing == null ? new ServiceLoad() : existing;
      int n = ready.size();
      int start = Math.floorMod(load.cursor++, n);
      ProxiedService.Replica best = null;
      int bestCount = Integer.MAX_VALUE;
      for (int i = 0; i < n; i++) {
        ProxiedService.Replica candidate = ready.get((start + i) % n);
        ReplicaLoad r = load.replicas.get(candidate.id());
        if (r != null && r.pausedAt(now)) {
          continue;
        }
        int count = r == null ? 0 : r.inFlight.get();
        if (count < bestCount) {
          best = candidate;
          bestCount = count;
        }
      }
      if (best != null) {
        ReplicaLoad r = load.replicas.computeIfAbsent(best.id(), id -> new ReplicaLoad());
        r.inFlight.incrementAndGet();
        load.started++;
        chosen[0] = new Lease(best, r.inFlight);
      }
      return load;
    });
    return Optional.ofNullable(chosen[0]);
  }

  /** {@code replicaId} of {@code service} refused a connection: out of rotation for the refused pause. */
  public void refused(String service, String replicaId) {
    long until = nanoClock.getAsLong() + refusedPauseNanos;
    services.compute(service, (name, existing) -> {
      ServiceLoad load = existing == null ? new ServiceLoad() : existing;
      ReplicaLoad r = load.replicas.computeIfAbsent(replicaId, id -> new ReplicaLoad());
      r.paused = true;
      r.pausedUntil = until;
      return load;
    });
  }

  /** Requests in flight on this node to {@code service}'s replicas, by replica id. */
  public Map<String, Integer> inFlight(String service) {
    Map<String, Integer> counts = new HashMap<>();
    services.computeIfPresent(service, (name, load) -> {
      load.replicas.forEach((id, r) -> counts.put(id, r.inFlight.get()));
      return load;
    });
    return counts;
  }

  /**
   * Hands {@code report} the in-flight counts of each service that had traffic since the last call
   * (a request started, or one is still in flight), and once more those of a service whose traffic
   * fell to none; then forgets replicas that are idle and in rotation, and services that had none
   * for {@link #FORGET_AFTER_IDLE_ROUNDS} rounds.
   */
  public void drainReports(BiConsumer<String, Map<String, Integer>> report) {
    long now = nanoClock.getAsLong();
    for (String service : List.copyOf(services.keySet())) {
      Map<String, Integer> due = new LinkedHashMap<>();
      boolean[] send = new boolean[1];
      services.computeIfPresent(service, (name, load) -> {
        boolean busy = load.started > 0;
        for (Map.Entry<String, ReplicaLoad> e : load.replicas.entrySet()) {
          int count = e.getValue().inFlight.get();
          due.put(e.getKey(), count);
          busy |= count > 0;
        }
        send[0] = busy || load.active;
        load.active = busy;
        load.started = 0;
        load.idleRounds = busy ? 0 : load.idleRounds + 1;
        load.replicas.values().removeIf(r -> r.inFlight.get() == 0 && !r.pausedAt(now));
        return load.replicas.isEmpty() && load.idleRounds > FORGET_AFTER_IDLE_ROUNDS ? null : load;
      });
      if (send[0]) {
        report.accept(service, Map.copyOf(due));
      }
    }
  }

  /** A service's bookkeeping; only touched inside its map entry's compute. */
  private static final class ServiceLoad {
    final Map<String, ReplicaLoad> replicas = new HashMap<>();
    int cursor;
    long started;
    boolean active;
    int idleRounds;
  }

  private static final class ReplicaLoad {
    final AtomicInteger inFlight = new AtomicInteger();
    boolean paused;
    long pausedUntil;

    boolean pausedAt(long now) {
      return paused && pausedUntil - now > 0;
    }
  }
}
