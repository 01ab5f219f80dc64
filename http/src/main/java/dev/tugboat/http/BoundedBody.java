package dev.tugboat.http;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * Reads a control request's body as text (UTF-8) up to {@code tugboat.http.max-request-body}: a
 * declared or streamed body past it is answered 413 without reading on. Shared by the routes that
 * take a JSON body, so they refuse oversized bodies the same way.
 */
final class BoundedBody extends AllDirectives {

  private final long max;
  private final Duration readTimeout;

  /** {@code readTimeout} bounds how long the whole body may take to arrive. */
  BoundedBody(RequestLimits limits, Duration readTimeout) {
    this.max = Objects.requireNonNull(limits, "limits").maxRequestBody();
    this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
  }

  /** {@code inner} with the body's text, or 413 when the body is larger than the limit. */
  Route text(Function<String, Route> inner) {
    return extractRequestEntity(entity -> {
      OptionalLong declared = entity.getContentLengthOption();
      if (declared.isPresent() && declared.getAsLong() > max) {
        return tooLarge();
      }
      return extractMaterializer(materializer -> {
        CompletionStage<Optional<String>> text = entity.withSizeLimit(max)
            .toStrict(readTimeout.toMillis(), materializer)
            .handle((strict, failure) -> {
              if (failure == null) {
                return Optional.of(strict.getData().utf8String());
              }
              Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                  ? failure.getCause() : failure;
              if (cause instanceof EntityStreamSizeException) {
                return Optional.empty();
              }
              throw new CompletionException(cause);
            });
        return onSuccess(text, t -> t.isPresent() ? inner.apply(t.get()) : tooLarge());
      });
    });
  }

  private Route tooLarge() {
    return complete(StatusCodes.PAYLOAD_TOO_LARGE, new ErrorBody(
        "the request body is larger than " + max + " bytes (tugboat.http.max-request-body)", null), Json.marshaller());
  }
}
