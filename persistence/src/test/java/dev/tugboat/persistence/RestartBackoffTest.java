package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RestartBackoffTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final RestartBackoff B =
      new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 4, Duration.ofMinutes(1));

  @ParameterizedTest(name = "failure {0} in a row: replaced after {1} s (-1: never)")
  @CsvSource({"1, 1", "2, 2", "3, 4", "4, 5", "5, -1"})
  void doublesUpToMaxThenGivesUp(int failures, long seconds) {
    Optional<Instant> at = B.replaceAt(failures, T0);
    assertEquals(seconds < 0 ? Optional.empty() : Optional.of(T0.plusSeconds(seconds)), at);
  }

  @Test
  void aReplicaThatRanReadyLongEnoughCountsAfresh() {
    assertEquals(4, B.failuresInRow(3, null, T0));
    assertEquals(4, B.failuresInRow(3, T0, T0.plusSeconds(59)));
    assertEquals(1, B.failuresInRow(3, T0, T0.plusSeconds(60)));
  }
}
