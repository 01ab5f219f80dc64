package dev.tugboat.k8s;

import java.util.function.LongSupplier;

/** Rate limit on starting API calls: qps tokens per second, at most burst saved. Not thread-safe. */
final class TokenBucket {
  private final double perNano;
  private final double capacity;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  TokenBucket(double qps, int burst, LongSupplier nanoClock) {
    this.perNano = qps / 1e9;
    this.capacity = burst;
    this.nanoClock = nanoClock;
    this.tokens = burst;
    this.last = nanoClock.getAsLong();
  }

  boolean tryTake() {
    return tryTake(1);
  }

  /** Takes {@code n} tokens at once (at most burst, so that a call never waits for more than fit). */
  boolean tryTake(int n) {
    refill();
    double need = Math.min(n, capacity);
    if (tokens >= need) {
      tokens -= need;
      return true;
    }
    return false;
  }

  /** Nanoseconds until one token is available. */
  long nanosUntilNext() {
    refill();
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
  }

  private void refill() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
  }
}
