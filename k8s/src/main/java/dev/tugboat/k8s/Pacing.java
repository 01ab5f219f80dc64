package dev.tugboat.k8s;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Whether a call of a kind may start now, and if not, when to look again: the shared token bucket
 * (qps, burst) on every start, the deletes' own bucket on top of it, and the pause of a kind after
 * a 429. Mutable and confined to the gateway actor, because its token buckets change with every
 * start.
 */
final class Pacing {

  /** Why calls wait. */
  enum Hold {
    /** The call may start; its tokens are taken. */
    NONE,
    /** Every call of this kind waits for the end of a 429 pause; other kinds go ahead. */
    KIND_PAUSED,
    /** Deletes wait for a token of their own bucket; the kinds after them go ahead. */
    DELETES_PACED,
    /** No call starts before the shared bucket has a token. */
    RATE_LIMITED
  }

  /** A verdict: the hold and, when there is one, the nanoseconds until it may be over. */
  record Wait(Hold hold, long nanos) {
    static final Wait GO = new Wait(Hold.NONE, 0);
  }

  private final TokenBucket shared;
  private final TokenBucket deletes;
  private final LongSupplier nanoClock;
  private final Map<CallKind, Long> pausedUntil = new EnumMap<>(CallKind.class);

  /** Pacing from the settings: qps 0 or an unpaced delete pace means no such bucket. */
  static Pacing of(KubernetesSettings settings, LongSupplier nanoClock) {
    KubernetesSettings.DeletePace pace = settings.deletePace();
    return new Pacing(settings.qps() > 0 ? new TokenBucket(settings.qps(), settings.burst(), nanoClock) : null,
        pace.paced() ? new TokenBucket(pace.qps(), pace.burst(), nanoClock) : null, nanoClock);
  }

  /** {@code shared} or {@code deletes} null: not limited by that bucket. */
  Pacing(TokenBucket shared, TokenBucket deletes, LongSupplier nanoClock) {
    this.shared = shared;
    this.deletes = deletes;
    this.nanoClock = nanoClock;
  }

  /** Whether this kind is paused by a 429 now: {@link Wait#GO}, or KIND_PAUSED with the pause left. */
  Wait paused(CallKind kind) {
    long now = nanoClock.getAsLong();
    long until = pausedUntil.getOrDefault(kind, now);
    return until - now > 0 ? new Wait(Hold.KIND_PAUSED, until - now) : Wait.GO;
  }

  /**
   * May a call of this kind that makes {@code tokens} writes start now? If so its tokens are taken
   * ({@link Wait#GO}); if not, nothing is taken and the wait says who holds it and for how long.
   */
  Wait tryStart(CallKind kind, int tokens) {
    boolean paced = kind == CallKind.DELETE && deletes != null;
    if (paced && deletes.nanosUntilNext() > 0) {
      return new Wait(Hold.DELETES_PACED, deletes.nanosUntilNext());
    }
    if (shared != null && !shared.tryTake(tokens)) {
      return new Wait(Hold.RATE_LIMITED, shared.nanosUntilNext());
    }
    if (paced) {
      deletes.tryTake();
    }
    return Wait.GO;
  }

  /**
   * A 429 pauses every call of its kind for {@code delay} from now, unless it is paused longer
   * already: hammering an overloaded API server call by call only prolongs the overload. Returns
   * the nanoseconds the pause grew by from now on, or -1 when it ends no later than before.
   */
  long pauseKind(CallKind kind, Duration delay) {
    long now = nanoClock.getAsLong();
    long until = now + delay.toNanos();
    long current = pausedUntil.getOrDefault(kind, now);
    if (until - current <= 0) {
      return -1;
    }
    pausedUntil.put(kind, until);
    return until - Math.max(now, current);
  }
}
