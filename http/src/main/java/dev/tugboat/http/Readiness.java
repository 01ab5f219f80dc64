package dev.tugboat.http;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Whether this node should receive traffic, as GET /health/ready reports it: every check the node
 * makes, named, each with why it fails. The stage must complete within a short, bounded time and
 * must not block the caller (the route waits on it).
 */
public interface Readiness {

  CompletionStage<List<Check>> check();

  /** One check's outcome; {@code reason} is null when it passed. */
  record Check(String name, boolean ok, String reason) {

    public Check {
      Objects.requireNonNull(name, "name");
      if (!ok && (reason == null || reason.isBlank())) {
        throw new IllegalArgumentException("a failing check needs a reason: " + name);
      }
    }

    public static Check passed(String name) {
      return new Check(name, true, null);
    }

    public static Check failed(String name, String reason) {
      return new Check(name, false, reason);
    }
  }
}
