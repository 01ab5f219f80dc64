package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The shared bucket, the deletes' bucket and 429 pauses per kind, on a clock the test moves. */
class PacingTest {

  private static final long MS = 1_000_000L;
  private final AtomicLong now = new AtomicLong(1_000 * MS);

  private Pacing pacing(double qps, int burst, double deleteQps, int deleteBurst) {
    return new Pacing(qps > 0 ? new TokenBucket(qps, burst, now::get) : null,
        deleteQps > 0 ? new TokenBucket(deleteQps, deleteBurst, now::get) : null, now::get);
  }

  private static Pacing.Wait waiting(Pacing.Hold hold, long nanos) {
    return new Pacing.Wait(hold, nanos);
  }

  /** Bucket waits are computed in floating point: right to the nanosecond. */
  private static void assertWaits(Pacing.Hold hold, long nanos, Pacing.Wait actual) {
    assertEquals(hold, actual.hold(), actual.toString());
    assertEquals(nanos, actual.nanos(), 1, actual.toString());
  }

  @ParameterizedTest
  @EnumSource(CallKind.class)
  void withoutBucketsEveryCallMayStart(CallKind kind) {
    Pacing p = pacing(0, 0, 0, 0);
    for (int i = 0; i < 1000; i++) {
      assertEquals(Pacing.Wait.GO, p.tryStart(kind, 2));
    }
  }

  @Test
  void theSharedBucketAllowsTheBurstThenHoldsEveryKind() {
    Pacing p = pacing(10, 3, 0, 0);
    assertEquals(Pacing.Wait.GO, p.tryStart(CallKind.CREATE, 2), "a create with its Secret takes two tokens");
    assertEquals(Pacing.Wait.GO, p.tryStart(CallKind.LOG, 1));
    assertWaits(Pacing.Hold.RATE_LIMITED, 100 * MS, p.tryStart(CallKind.DELETE, 1));
    now.addAndGet(101 * MS);
    assertEquals(Pacing.Wait.GO, p.tryStart(CallKind.GET, 1));
  }

  @Test
  void deletesWaitForTheirOwnTokensWhileOtherKindsGoAhead() {
    Pacing p = pacing(1000, 100, 200, 2);
    assertEquals(Pacing.Wait.GO, p.tryStart(CallKind.DELETE, 1));
    assertEquals(Pacing.Wait.GO, p.tryStart(CallKind.DELETE, 1));
    assertWaits(Pacing.Hold.DELETES_PACED, 5 * MS, p.tryStart(CallKind.DELETE, 1));
    assertEquals(Pacing.Wait.GO, p.tryStart(CallKind.CREATE, 1));
    assertEquals(Pacing.Wait.GO, p.tryStart(CallKind.LOG, 1));
    now.addAndGet(6 * MS);
    assertEquals(Pacing.Wait.GO, p.tryStart(CallKind.DELETE, 1), "one delete every 5 ms at 200/s");
    assertEquals(Pacing.Hold.DELETES_PACED, p.tryStart(CallKind.DELETE, 1).hold());
  }

  @Test
  void aPacedDeleteTakesNoSharedTokenAndARateLimitedOneNoDeleteToken() {
    Pacing p = pacing(10, 1, 200, 1);
    assertEquals(Pacing.Wait.GO, p.tryStart(CallKind.DELETE, 1));
    assertEquals(Pacing.Hold.DELETES_PACED, p.tryStart(CallKind.DELETE, 1).hold());
    now.addAndGet(6 * MS);
    assertEquals(Pacing.Hold.RATE_LIMITED, p.tryStart(CallKind.DELETE, 1).hold(), "the shared bucket is empty");
    now.addAndGet(95 * MS);
    assertEquals(Pacing.Wait.GO, p.tryStart(CallKind.DELETE, 1), "its own token was kept while the shared one was due");
  }

  @Test
  void a429PausesItsKindOnlyAndOnlyEverLonger() {
    Pacing p = pacing(0, 0, 0, 0);
    assertEquals(Pacing.Wait.GO, p.paused(CallKind.CREATE));
    assertEquals(1000 * MS, p.pauseKind(CallKind.CREATE, Duration.ofSeconds(1)));
    assertEquals(waiting(Pacing.Hold.KIND_PAUSED, 1000 * MS), p.paused(CallKind.CREATE));
    assertEquals(Pacing.Wait.GO, p.paused(CallKind.DELETE), "other kinds go ahead");

    now.addAndGet(400 * MS);
    assertEquals(-1, p.pauseKind(CallKind.CREATE, Duration.ofMillis(100)), "a shorter pause does not shorten it");
    assertEquals(waiting(Pacing.Hold.KIND_PAUSED, 600 * MS), p.paused(CallKind.CREATE));
    assertEquals(400 * MS, p.pauseKind(CallKind.CREATE, Duration.ofSeconds(1)), "a longer one grows it by the difference");

    now.addAndGet(1000 * MS);
    assertEquals(Pacing.Wait.GO, p.paused(CallKind.CREATE));
    assertEquals(200 * MS, p.pauseKind(CallKind.CREATE, Duration.ofMillis(200)), "after a pause, a new one counts whole");
  }
}
