package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReportClockTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration RETRY = Duration.ofSeconds(10);

  @Test
  void theFirstReportIsDueAtOnce() {
    assertTrue(ReportClock.idle().due(T0, RETRY));
  }

  @Test
  void aReportInFlightIsNeverSentAgain() {
    ReportClock c = ReportClock.idle().sent(T0);
    assertFalse(c.due(T0.plus(Duration.ofHours(1)), RETRY));
  }

  @Test
  void afterAnAnswerTheNextReportWaitsReportRetryFromTheLastSend() {
    ReportClock c = ReportClock.idle().sent(T0).answered();
    assertFalse(c.due(T0.plusSeconds(9), RETRY));
    assertTrue(c.due(T0.plusSeconds(10), RETRY));
  }
}
