package dev.tugboat.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.tugboat.http.auth.Access;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.events.EventPosition;
import dev.tugboat.protocol.events.StreamedEvent;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/events[?after=<id>][&simulation=<id>]}: every simulation and service lifecycle
 * event as Server-Sent Events, for a viewer (a bearer token or the session cookie, which is what a
 * browser's EventSource can send). {@code Last-Event-ID} (sent by EventSource when it reconnects)
 * or else {@code after} resumes right after that event; {@code simulation} keeps one simulation's
 * events. Parameters are checked before anything is read (400 naming the bad one); 410 when the
 * id is older than what the journal retains; a comment every {@code heartbeat} without an event.
 */
final class EventStreamRoute extends AllDirectives {

  private static final Logger LOG = LoggerFactory.getLogger(EventStreamRoute.class);
  private static final Set<String> PARAMETERS = Set.of("after", "simulation");
  static final String LAST_EVENT_ID = "Last-Event-ID";

  private final Access access;
  private final LifecycleEvents events;
  private final EventStreamSettings settings;
  /** Ends every open stream when the node stops, so its clients move on and the server need not wait for them. */
  private final SharedKillSwitch streams = KillSwitches.shared("event-streams");

  EventStreamRoute(ActorSystem<?> system, Access access, LifecycleEvents events, EventStreamSettings settings) {
    this.access = Objects.requireNonNull(access, "access");
    this.events = Objects.requireNonNull(events, "events");
    this.settings = Objects.requireNonNull(settings, "settings");
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "end-event-streams", () -> {
      streams.shutdown();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
  }

  Route route() {
    return path(segment("api").slash("v1").slash("events"), () ->
        get(() -> access.read(who -> extractRequest(this::answer))));
  }

  /** What a request asks for: resume after {@code after} (from now when empty), only {@code simulation}'s events. */
  record Request(Optional<EventPosition> after, Optional<String> simulation) {}

  private Route answer(HttpRequest request) {
    Request asked;
    try {
      asked = request(request.getUri().query().toMultiMap(), request.getHeader(LAST_EVENT_ID).map(h -> h.value()),
          events.journals());
    } catch (IllegalArgumentException e) {
      return complete(StatusCodes.BAD_REQUEST, ErrorBody.of(e.getMessage()), Json.marshaller());
    }
    CompletionStage<Optional<LifecycleEvents.Opening>> opening = events.open(asked.after())
        .handle((o, failure) -> {
          if (failure != null) {
            LOG.warn("Could not open the event stream: {}", failure.getMessage());
            return Optional.empty();
          }
          return Optional.of(o);
        });
    return onSuccess(opening, o -> {
      if (o.isEmpty()) {
        return complete(StatusCodes.SERVICE_UNAVAILABLE, ErrorBody.of("could not read the event stream from the journal"),
            Json.marshaller());
      }
      if (o.get() instanceof LifecycleEvents.Gone gone) {
        return complete(StatusCodes.GONE, new ErrorBody(gone.reason(), asked.after().map(EventPosition::toString)
            .orElse(null)), Json.marshaller());
      }
      return complete(response(((LifecycleEvents.Opened) o.get()).events(), asked.simulation()));
    });
  }

  private HttpResponse response(Source<StreamedEvent, NotUsed> stream,
      Optional<String> simulation) {
    Source<ByteString, NotUsed> frames = stream
        .via(streams.<StreamedEvent>flow())
        .filter(e -> simulation.isEmpty() || simulation.get().equals(e.event().simulationId()))
        .map(SseFrames::event)
        // Frames that wait for a slow connection go out together, in one write.
        .batch(256, frame -> frame, ByteString::concat)
        .keepAlive(settings.heartbeat(), () -> SseFrames.HEARTBEAT)
        .prepend(Source.single(SseFrames.OPENED));
    return HttpResponse.create()
        .addHeader(CacheControl.create(CacheDirectives.NO_CACHE))
        .withEntity(HttpEntities.create(MediaTypes.TEXT_EVENT_STREAM.toContentType(), frames));
  }

  /**
   * The request the parameters and the Last-Event-ID header make; an IllegalArgumentException
   * names what is wrong. Last-Event-ID wins over {@code after}: a browser reconnecting keeps the
   * URL it first opened and sends the id it got to.
   */
  static Request request(Map<String, List<String>> parameters, Optional<String> lastEventId, int journals) {
    for (Map.Entry<String, List<String>> p : parameters.entrySet()) {
      if (!PARAMETERS.contains(p.getKey())) {
        throw new IllegalArgumentException("unknown parameter '" + Ids.printable(p.getKey(), 64)
            + "'; accepted: after, simulation");
      }
      if (p.getValue().size() > 1) {
        throw new IllegalArgumentException("parameter '" + p.getKey() + "' given " + p.getValue().size()
            + " times; give it once");
      }
    }
    Optional<String> simulation = single(parameters, "simulation");
    simulation.flatMap(s -> Ids.problem("simulation", s)).ifPresent(problem -> {
      throw new IllegalArgumentException(problem);
    });
    Optional<String> after = lastEventId.filter(id -> !id.isBlank()).or(() -> single(parameters, "after"));
    Optional<EventPosition> position;
    try {
      position = after.map(id -> EventPosition.parse(id.strip(), journals));
    } catch (IllegalArgumentException e) {
      String from = lastEventId.filter(id -> !id.isBlank()).isPresent() ? LAST_EVENT_ID : "after";
      throw new IllegalArgumentException(from + ": " + e.getMessage());
    }
    return new Request(position, simulation);
  }

  private static Optional<String> single(Map<String, List<String>> parameters, String name) {
    List<String> values = parameters.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
