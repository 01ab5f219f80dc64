package dev.tugboat.http;

import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.service.ServiceHistoryEntry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's history ({@code GET .../services/{modelId}/events}, {@code {"items": [...]}}) and
 * log tail ({@code GET .../services/{modelId}/logs?tail=N}), read through {@link ServiceRecords}
 * so neither wakes the entity. Parameters are checked first (400), then the ids and whether the
 * service exists (400, 404, by the caller's {@link KnownService}); a read that fails or takes
 * longer than the ask timeout is a 503.
 */
final class ServiceRecordsRoute extends AllDirectives {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceRecordsRoute.class);

  static final int DEFAULT_TAIL = 100;
  static final int MAX_TAIL = 1000;

  /** Resolves a service id from the path: 400 for an invalid one, 404 for an unknown one, else {@code then}. */
  interface KnownService {
    Route then(String simulationId, String modelId, Function<ServiceId, Route> then);
  }

  /** The JSON answer of the history. */
  record HistoryBody(List<ServiceHistoryEntry> items) {}

  private final ServiceRecords records;
  private final KnownService known;
  private final Duration timeout;

  ServiceRecordsRoute(ServiceRecords records, KnownService known, Duration timeout) {
    this.records = Objects.requireNonNull(records, "records");
    this.known = Objects.requireNonNull(known, "known");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  Route events(String simulationId, String modelId) {
    return extractRequest(request -> {
      Optional<String> problem = parameters(request.getUri().query().toMultiMap(), List.of());
      if (problem.isPresent()) {
        return badRequest(problem.get());
      }
      return known.then(simulationId, modelId, serviceId ->
          answer(records.history(serviceId), serviceId, "history", HistoryBody::new));
    });
  }

  Route logs(String simulationId, String modelId) {
    return extractRequest(request -> {
      Map<String, List<String>> parameters = request.getUri().query().toMultiMap();
      Optional<String> problem = parameters(parameters, List.of("tail"));
      if (problem.isPresent()) {
        return badRequest(problem.get());
      }
      int tail;
      try {
        tail = tail(parameters.get("tail"));
      } catch (IllegalArgumentException e) {
        return badRequest(e.getMessage());
      }
      return logTail(simulationId, modelId, tail);
    });
  }

  private Route logTail(String simulationId, String modelId, int tail) {
    return known.then(simulationId, modelId, serviceId ->
        answer(records.logTail(serviceId, tail), serviceId, "log", body -> body));
  }

  private <T> Route answer(CompletionStage<T> read, ServiceId serviceId, String what, Function<T, Object> body) {
    CompletionStage<Read<T>> bounded = read.toCompletableFuture().copy()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((value, failure) -> {
          if (failure == null) {
            return new Read<>(value, null);
          }
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          LOG.warn("Could not read the {} of service {}: {}", what, serviceId, cause.toString());
          return new Read<>(null, "could not read the " + what + " of " + serviceId.entityId()
              + (cause instanceof TimeoutException ? " within " + timeout.toMillis() + " ms" : ""));
        });
    return onSuccess(bounded, r -> r.problem() == null
        ? completeOK(body.apply(r.value()), Json.marshaller())
        : complete(StatusCodes.SERVICE_UNAVAILABLE, new ErrorBody(r.problem(), serviceId.entityId()),
            Json.marshaller()));
  }

  /** A read's value, or what to answer instead. */
  private record Read<T>(T value, String problem) {}

  /** The problem with the query's parameters: one not in {@code accepted}, or one given twice. */
  static Optional<String> parameters(Map<String, List<String>> parameters, List<String> accepted) {
    for (Map.Entry<String, List<String>> p : parameters.entrySet()) {
      if (!accepted.contains(p.getKey())) {
        return Optional.of("unknown parameter '" + Ids.printable(p.getKey(), 64) + "'; "
            + (accepted.isEmpty() ? "this resource takes none" : "accepted: " + String.join(", ", accepted)));
      }
      if (p.getValue().size() > 1) {
        return Optional.of("parameter '" + p.getKey() + "' given " + p.getValue().size() + " times; give it once");
      }
    }
    return Optional.empty();
  }

  /** The {@code tail} asked for: {@link #DEFAULT_TAIL} when absent, else a whole number from 1 to {@link #MAX_TAIL}. */
  static int tail(List<String> values) {
    if (values == null || values.isEmpty()) {
      return DEFAULT_TAIL;
    }
    String value = values.get(0);
    int tail;
    try {
      tail = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      tail = -1;
    }
    if (tail < 1 || tail > MAX_TAIL) {
      throw new IllegalArgumentException("tail must be a whole number from 1 to " + MAX_TAIL + ", got '"
          + Ids.printable(value, 64) + "'");
    }
    return tail;
  }

  private Route badRequest(String problem) {
    return complete(StatusCodes.BAD_REQUEST, ErrorBody.of(problem), Json.marshaller());
  }
}
