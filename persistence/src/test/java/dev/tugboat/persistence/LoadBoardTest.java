package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoadBoardTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration STALE = Duration.ofSeconds(5);

  @Test
  void sumsTheLatestFreshReportOfEachNodeOverCurrentPods() {
    LoadBoard b = LoadBoard.EMPTY
        .reported("n1", Map.of("a", 3, "b", 1), T0)
        .reported("n2", Map.of("a", 2, "old", 9), T0.plusSeconds(1))
        .reported("n1", Map.of("a", 1), T0.plusSeconds(2));
    assertEquals(3, b.total(T0.plusSeconds(3), STALE, Set.of("a", "b")));
    assertEquals(1, b.total(T0.plusSeconds(6).plusMillis(1), STALE, Set.of("a", "b")), "n2 is stale");
    assertEquals(0, b.total(T0.plusSeconds(60), STALE, Set.of("a", "b")));
  }
}
