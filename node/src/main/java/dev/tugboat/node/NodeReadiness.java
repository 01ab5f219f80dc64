package dev.tugboat.node;

import com.typesafe.config.Config;
import dev.tugboat.http.Readiness;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * This node's readiness: every {@link Probe} asked at once, each bounded by the check timeout. A
 * probe that completes passed; one that fails, throws or does not answer in time failed, with its
 * message as the reason. Never blocks the caller.
 */
final class NodeReadiness implements Readiness {

  /** {@code tugboat.readiness}: how long one check may take, and how long a journal answer is reused. */
  record Settings(Duration checkTimeout, Duration journalFresh) {
    Settings {
      if (checkTimeout.isNegative() || checkTimeout.isZero() || journalFresh.isNegative()) {
        throw new IllegalArgumentException("tugboat.readiness: check-timeout must be positive, journal-fresh not negative");
      }
    }

    static Settings fromConfig(Config config) {
      Config c = config.getConfig("tugboat.readiness");
      return new Settings(c.getDuration("check-timeout"), c.getDuration("journal-fresh"));
    }
  }

  /** One named check: completes when it passes, fails with why when it does not. */
  record Probe(String name, Supplier<? extends CompletionStage<?>> run) {
    Probe {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(run, "run");
    }

    /** A check that answers at once from state it can read on any thread. */
    static Probe immediate(String name, Supplier<Optional<String>> problem) {
      return new Probe(name, () -> problem.get()
          .<CompletionStage<Void>>map(p -> CompletableFuture.failedFuture(new IllegalStateException(p)))
          .orElseGet(() -> CompletableFuture.completedFuture(null)));
    }
  }

  private final List<Probe> probes;
  private final Duration timeout;

  NodeReadiness(List<Probe> probes, Duration timeout) {
    this.probes = List.copyOf(probes);
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<List<Check>> check() {
    List<CompletableFuture<Check>> checks = probes.stream().map(this::check).toList();
    return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
        .thenApply(v -> checks.stream().map(CompletableFuture::join).toList());
  }

  private CompletableFuture<Check> check(Probe probe) {
    CompletableFuture<?> answer;
    try {
      // A copy, so the timeout never completes a future the probe shares with others.
      answer = probe.run().get().toCompletableFuture().copy();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((v, failure) -> failure == null ? Check.passed(probe.name())
            : Check.failed(probe.name(), reason(failure)));
  }

  private String reason(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof TimeoutException) {
      return "no answer within " + timeout.toMillis() + " ms";
    }
    return cause.getMessage() == null || cause.getMessage().isBlank() ? cause.toString() : cause.getMessage();
  }
}
