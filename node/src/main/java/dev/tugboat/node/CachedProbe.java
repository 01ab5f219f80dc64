package dev.tugboat.node;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A probe that costs something (a database query) asked at most once per {@code fresh} period and
 * never twice at a time: a burst of readiness probes shares one answer, and a probe that hangs is
 * not piled upon by new ones while it is still in flight. Thread-safe.
 */
final class CachedProbe implements Supplier<CompletionStage<Void>> {

  private record Asked(long atNanos, CompletableFuture<Void> answer) {}

  private final Supplier<CompletionStage<Void>> probe;
  private final long freshNanos;
  private final LongSupplier nanoTime;
  private final AtomicReference<Asked> last = new AtomicReference<>();

  CachedProbe(Supplier<CompletionStage<Void>> probe, Duration fresh, LongSupplier nanoTime) {
    this.probe = Objects.requireNonNull(probe, "probe");
    this.freshNanos = fresh.toNanos();
    this.nanoTime = nanoTime;
  }

  @Override
  public CompletionStage<Void> get() {
    while (true) {
      Asked previous = last.get();
      long now = nanoTime.getAsLong();
      if (previous != null && (isInFlight(previous) || now - previous.atNanos() < freshNanos)) {
        return previous.answer().copy();
      }
      Asked claim = new Asked(now, new CompletableFuture<>());
      if (last.compareAndSet(previous, claim)) {
        CompletionStage<Void> answer;
        try {
          answer = probe.get();
        } catch (RuntimeException e) {
          answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((v, e) -> {
          if (e == null) {
            claim.answer().complete(null);
          } else {
            claim.answer().completeExceptionally(e);
          }
        });
        return claim.answer().copy();
      }
    }
  }

  private static boolean isInFlight(Asked asked) {
    return !asked.answer().isDone();
  }
}
