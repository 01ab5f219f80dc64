package dev.tugboat.http;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/** How the control routes read an entity's answer to an ask. */
final class AskReplies {

  private AskReplies() {
  }

  /** The reply, or empty when none came within the ask's timeout; any other failure fails the stage as it was. */
  static <R> CompletionStage<Optional<R>> orEmptyOnTimeout(CompletionStage<R> asked) {
    return asked.handle((reply, failure) -> {
      if (failure == null) {
        return Optional.of(reply);
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      if (cause instanceof TimeoutException) {
        return Optional.empty();
      }
      throw new CompletionException(cause);
    });
  }
}
