package dev.tugboat.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.tugboat.http.auth.Access;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.simulation.SimulationSummary;
import dev.tugboat.protocol.simulation.SimulationView;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/simulations?phase=&simulator=&limit=&after=}: one page of the simulation
 * list, newest first, as {@code {"items": [...], "next": cursor or null}}. Every parameter is
 * checked before the list is read; a bad one (or one the route does not know, or one given
 * twice) is a 400 naming it. The cursor is opaque to clients: only a {@code next} of an earlier
 * page is accepted as {@code after}.
 */
final class SimulationListRoute extends AllDirectives {

  private static final Logger LOG = LoggerFactory.getLogger(SimulationListRoute.class);

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;
  private static final Set<String> PARAMETERS = Set.of("phase", "simulator", "limit", "after");
  private static final String CURSOR_PREFIX = "s1:";

  /** The JSON answer: the page's simulations and the cursor of the next page, null on the last one. */
  record PageBody(List<SimulationSummary> items, String next) {}

  private final Access access;
  private final SimulationList list;

  SimulationListRoute(Access access, SimulationList list) {
    this.access = Objects.requireNonNull(access, "access");
    this.list = Objects.requireNonNull(list, "list");
  }

  Route route() {
    return path(segment("api").slash("v1").slash("simulations"), () ->
        get(() -> access.read(who -> extractRequest(request ->
            answer(request.getUri().query().toMultiMap())))));
  }

  private Route answer(Map<String, List<String>> parameters) {
    SimulationList.Query query;
    try {
      query = query(parameters);
    } catch (IllegalArgumentException e) {
      return complete(StatusCodes.BAD_REQUEST, ErrorBody.of(e.getMessage()), Json.marshaller());
    }
    CompletionStage<Optional<SimulationList.Page>> page = list.list(query).handle((p, failure) -> {
      if (failure != null) {
        LOG.warn("Could not read the simulation list: {}", failure.getMessage());
        return Optional.empty();
      }
      return Optional.of(p);
    });
    return onSuccess(page, p -> p.isEmpty()
        ? complete(StatusCodes.SERVICE_UNAVAILABLE, ErrorBody.of("could not read the simulation list from the journal"),
            Json.marshaller())
        : completeOK(new PageBody(p.get().items(),
            p.get().next().isPresent() ? cursor(p.get().next().getAsLong()) : null), Json.marshaller()));
  }

  /** The query the parameters ask for; an IllegalArgumentException names what is wrong. */
  static SimulationList.Query query(Map<String, List<String>> parameters) {
    for (Map.Entry<String, List<String>> p : parameters.entrySet()) {
      if (!PARAMETERS.contains(p.getKey())) {
        throw new IllegalArgumentException("unknown parameter '" + Ids.printable(p.getKey(), 64)
            + "'; accepted: phase, simulator, limit, after");
      }
      if (p.getValue().size() > 1) {
        throw new IllegalArgumentException("parameter '" + p.getKey() + "' given " + p.getValue().size()
            + " times; give it once");
      }
    }
    Optional<SimulationView.Phase> phase = single(parameters, "phase").map(SimulationListRoute::phase);
    Optional<String> simulator = single(parameters, "simulator");
    simulator.flatMap(s -> Ids.problem("simulator", s)).ifPresent(problem -> {
      throw new IllegalArgumentException(problem);
    });
    int limit = single(parameters, "limit").map(SimulationListRoute::limit).orElse(DEFAULT_LIMIT);
    OptionalLong before = single(parameters, "after").map(SimulationListRoute::sortKey)
        .map(OptionalLong::of).orElse(OptionalLong.empty());
    return new SimulationList.Query(phase, simulator, limit, before);
  }

  private static Optional<String> single(Map<String, List<String>> parameters, String name) {
    List<String> values = parameters.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  private static SimulationView.Phase phase(String value) {
    try {
      return SimulationView.Phase.valueOf(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("phase must be one of "
          + Arrays.stream(SimulationView.Phase.values()).map(Enum::name).collect(Collectors.joining(", "))
          + ", got '" + Ids.printable(value, 64) + "'");
    }
  }

  private static int limit(String value) {
    int limit;
    try {
      limit = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be a whole number from 1 to " + MAX_LIMIT + ", got '"
          + Ids.printable(value, 64) + "'");
    }
    return limit;
  }

  /** The cursor a page's {@code next} carries for the sort key below which the next page starts. */
  static String cursor(long sortKey) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((CURSOR_PREFIX + sortKey).getBytes(StandardCharsets.US_ASCII));
  }

  private static long sortKey(String cursor) {
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
      if (decoded.startsWith(CURSOR_PREFIX)) {
        return Long.parseLong(decoded.substring(CURSOR_PREFIX.length()));
      }
    } catch (IllegalArgumentException e) {
      // answered below: not a cursor this server made
    }
    throw new IllegalArgumentException("after must be the 'next' cursor of an earlier page, got '"
        + Ids.printable(cursor, 64) + "'");
  }
}
