package dev.tugboat.persistence;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a failed replica of a hosted service is replaced: after {@code first}, doubling per failure
 * in a row up to {@code max}; after {@code maxRestarts} failures in a row, never (the replica is
 * FAILED). A replica that ran ready for {@code resetAfter} before it failed starts counting afresh.
 */
public record RestartBackoff(Duration first, Duration max, int maxRestarts, Duration resetAfter) {

  /** The failures in a row counting this one: 1 when the replica had run ready long enough. */
  int failuresInRow(int before, Instant readySince, Instant failedAt) {
    if (readySince != null && !failedAt.isBefore(readySince.plus(resetAfter))) {
      return 1;
    }
    return before + 1;
  }

  /** When the replacement after the {@code failures}-th failure in a row starts; empty: no more. */
  Optional<Instant> replaceAt(int failures, Instant failedAt) {
    if (failures > maxRestarts) {
      return Optional.empty();
    }
    long factor = 1L << Math.min(failures - 1, 20);
    Duration d = first.multipliedBy(factor);
    return Optional.of(failedAt.plus(d.compareTo(max) > 0 ? max : d));
  }
}
