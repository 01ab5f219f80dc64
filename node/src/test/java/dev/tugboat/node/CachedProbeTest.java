package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CachedProbeTest {

  private final AtomicLong now = new AtomicLong();
  private final AtomicInteger asked = new AtomicInteger();
  private final AtomicReference<CompletableFuture<Void>> next = new AtomicReference<>();

  private final CachedProbe probe = new CachedProbe(() -> {
    asked.incrementAndGet();
    return next.get();
  }, Duration.ofSeconds(1), now::get);

  @Test
  void aBurstWithinTheFreshPeriodCostsOneProbe() {
    next.set(CompletableFuture.completedFuture(null));
    for (int i = 0; i < 10; i++) {
      now.addAndGet(Duration.ofMillis(50).toNanos());
      assertTrue(probe.get().toCompletableFuture().isDone());
    }
    assertEquals(1, asked.get());

    now.addAndGet(Duration.ofSeconds(1).toNanos());
    probe.get();
    assertEquals(2, asked.get());
  }

  @Test
  void aProbeInFlightIsSharedEvenWhenStale() {
    CompletableFuture<Void> slow = new CompletableFuture<>();
    next.set(slow);
    CompletionStage<Void> first = probe.get();
    now.addAndGet(Duration.ofSeconds(5).toNanos());
    CompletionStage<Void> second = probe.get();
    assertEquals(1, asked.get());

    slow.completeExceptionally(new IllegalStateException("refused"));
    assertTrue(first.toCompletableFuture().isCompletedExceptionally());
    assertTrue(second.toCompletableFuture().isCompletedExceptionally());

    next.set(CompletableFuture.completedFuture(null));
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertTrue(probe.get().toCompletableFuture().isDone());
    assertEquals(2, asked.get());
  }

  @Test
  void aProbeThatThrowsIsAFailedAnswer() {
    CachedProbe throwing = new CachedProbe(() -> {
      throw new IllegalStateException("no pool");
    }, Duration.ofSeconds(1), now::get);
    assertTrue(throwing.get().toCompletableFuture().isCompletedExceptionally());
  }
}
