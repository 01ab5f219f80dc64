package dev.tugboat.persistence;

import dev.tugboat.persistence.HostedEvent.HostedCreated;
import dev.tugboat.persistence.HostedEvent.ReplicaObserved;
import dev.tugboat.persistence.HostedEvent.ReplicaStarted;
import dev.tugboat.persistence.HostedState.Empty;
import dev.tugboat.persistence.HostedState.Existing;
import dev.tugboat.protocol.hosted.HostedStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** Hosted states built from events, for the unit tests of the hosted entity's parts. */
final class HostedParts {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private HostedParts() {}

  /**
   * Create-retry-after 30 s; backoff 1 s doubling to 4 s, 3 restarts, reset after 60 s; scale up
   * above 4; image-pull-grace 2 min.
   */
  static HostedSettings settings() {
    return new HostedSettings(Duration.ofHours(1), Duration.ofSeconds(30),
        new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(4), 3, Duration.ofSeconds(60)),
        4, Duration.ofSeconds(5), Duration.ofSeconds(30), 5, Duration.ofMinutes(2), Clock.fixed(T0, ZoneOffset.UTC));
  }

  /** A service just created at T0 with {@code min} replicas asked for, none seen yet. */
  static Existing created(String name, int min, int max) {
    HostedState s = new Empty(name, 0).apply(new HostedCreated(name, HostedServiceEntityTest.spec(name, min, max), T0));
    for (int slot = 0; slot < min; slot++) {
      s = s.apply(new ReplicaStarted(name, slot, 0, T0));
    }
    return (Existing) s;
  }

  /** {@code s} with the current pod of every replica seen running and ready at {@code at}. */
  static Existing allReady(Existing s, Instant at) {
    HostedState next = s;
    for (var r : s.replicas().bySlot().values()) {
      next = next.apply(new ReplicaObserved(s.spec().name(), r.slot(), r.generation(), HostedStatus.RUNNING, true,
          "10.0.0." + r.slot(), at));
    }
    return (Existing) next;
  }
}
