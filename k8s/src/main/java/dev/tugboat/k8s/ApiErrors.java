package dev.tugboat.k8s;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/** Sorts exceptions from the fabric8 client into retryable and fatal outcomes. */
final class ApiErrors {

  private ApiErrors() {}

  static CallOutcome classify(Throwable t) {
    KubernetesClientException k = find(t, KubernetesClientException.class);
    // fabric8 reports "no HTTP answer" as code -1 (or 0); the protocol says 0.
    int code = k == null ? 0 : Math.max(0, k.getCode());
    String reason = reason(t, k);
    if (code == 429) {
      return new CallOutcome.Retryable(code, reason, retryAfter(k));
    }
    if (code >= 500 || code == 408) {
      return new CallOutcome.Retryable(code, reason, retryAfter(k));
    }
    if (code == 403 && isQuota(k, reason)) {
      // A full quota frees up as other models end: worth waiting for, within give-up-after.
      return new CallOutcome.Retryable(code, reason, Duration.ZERO);
    }
    if (code == 0) {
      if (find(t, IOException.class) != null || find(t, TimeoutException.class) != null) {
        return new CallOutcome.Retryable(0, reason, Duration.ZERO);
      }
      return new CallOutcome.Fatal(0, reason);
    }
    return new CallOutcome.Fatal(code, reason);
  }

  static int code(Throwable t) {
    KubernetesClientException k = find(t, KubernetesClientException.class);
    return k == null ? 0 : Math.max(0, k.getCode());
  }

  private static boolean isQuota(KubernetesClientException k, String reason) {
    return reason.toLowerCase(Locale.ROOT).contains("exceeded quota")
        || (k.getStatus() != null && k.getStatus().getMessage() != null
            && k.getStatus().getMessage().toLowerCase(Locale.ROOT).contains("exceeded quota"));
  }

  /** The API server's Retry-After, carried in the Status details (it sets the header to the same). */
  private static Duration retryAfter(KubernetesClientException k) {
    Status s = k == null ? null : k.getStatus();
    if (s != null && s.getDetails() != null && s.getDetails().getRetryAfterSeconds() != null) {
      return Duration.ofSeconds(Math.max(0, s.getDetails().getRetryAfterSeconds()));
    }
    return Duration.ZERO;
  }

  /** The API server's own message when there is one, else the exception's. */
  private static String reason(Throwable t, KubernetesClientException k) {
    if (k != null && k.getStatus() != null && k.getStatus().getMessage() != null && !k.getStatus().getMessage().isBlank()) {
      return k.getStatus().getMessage();
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() != null ? root.getMessage() : t.getMessage();
    return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }
}
