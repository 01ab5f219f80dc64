package dev.tugboat.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.typesafe.config.Config;
import dev.tugboat.http.auth.Access;
import dev.tugboat.http.auth.SessionRoutes;
import dev.tugboat.http.proxy.ProxyRoute;
import dev.tugboat.http.proxy.ProxySettings;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceReply;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationReply;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API as one sealed {@link Route}: the simulation list ({@link SimulationListRoute}), deploy
 * and terminate ({@link SimulationControlRoute}), the event stream ({@link EventStreamRoute}), entity
 * queries, a service's history and log ({@link ServiceRecordsRoute}), the OpenAPI description, health
 * and metrics, and the dashboard's page ({@link DashboardRoute}); with {@link ServiceEndpoints}, also
 * the proxy to long-lived services ({@link ProxyRoute}: its host form first, its path form after
 * every other route). Every response of Tugboat's own, errors included, is
 * JSON except the Prometheus scrape, the event stream and the dashboard's files; ids are validated,
 * and then looked up in
 * {@link KnownIds}, before any entity is resolved, so neither a bad id nor an unknown one starts (or
 * wakes) an entity: both are answered at once (400, 404). See docs/http-api.md.
 */
public final class TugboatRoutes extends AllDirectives {

  private static final Logger LOG = LoggerFactory.getLogger(TugboatRoutes.class);
  /** Separate logger so the access log can be switched on without the rest of the module. */
  private static final Logger ACCESS = LoggerFactory.getLogger("dev.tugboat.http.access");

  /** Prometheus text exposition format 0.0.4, the one every scraper accepts. */
  static final ContentType.WithCharset METRICS_CONTENT_TYPE = MediaTypes
      .customWithOpenCharset("text", "plain", Map.of("version", "0.0.4"), true)
      .toContentType(HttpCharsets.UTF_8);

  private final EntityDirectory directory;
  private final KnownIds knownIds;
  private final Readiness readiness;
  private final Supplier<String> metricsScrape;
  private final Duration askTimeout;
  private final Scheduler scheduler;
  private final Access access;
  private final SessionRoutes sessions;
  private final SimulationListRoute simulationList;
  private final ServiceRecordsRoute serviceRecords;
  private final byte[] openApi;
  private final SimulationControlRoute simulationControl;
  private final DashboardRoute dashboard = new DashboardRoute();
  private final Optional<EventStreamRoute> eventStream;
  private final Optional<ProxyRoute> proxy;
  private final Optional<HostedServiceRoute> hostedServices;

  /** The routes without the event stream (GET /api/v1/events answers 404). */
  public TugboatRoutes(ActorSystem<?> system, HttpSettings settings, Access access, EntityDirectory directory,
      KnownIds knownIds, SimulationList simulations, ServiceRecords services, Readiness readiness,
      Supplier<String> metricsScrape) {
    this(system, settings, access, directory, knownIds, simulations, services, readiness, metricsScrape,
        Optional.empty(), null);
  }

  /** The routes with the event stream of {@code events}. */
  public TugboatRoutes(ActorSystem<?> system, HttpSettings settings, Access access, EntityDirectory directory,
      KnownIds knownIds, SimulationList simulations, ServiceRecords services, Readiness readiness,
      Supplier<String> metricsScrape, LifecycleEvents events, EventStreamSettings eventSettings) {
    this(system, settings, access, directory, knownIds, simulations, services, readiness, metricsScrape,
        Optional.of(new EventStreamRoute(system, access, events, eventSettings)), null);
  }

  /**
   * The routes with the event stream, the hosted services' API ({@code /api/v1/services}) and the
   * proxy to them (settings from {@code tugboat.http.proxy}).
   */
  public TugboatRoutes(ActorSystem<?> system, HttpSettings settings, Access access, EntityDirectory directory,
      KnownIds knownIds, SimulationList simulations, ServiceRecords services, Readiness readiness,
      Supplier<String> metricsScrape, LifecycleEvents events, EventStreamSettings eventSettings,
      HostedServices hosted) {
    this(system, settings, access, directory, knownIds, simulations, services, readiness, metricsScrape,
        Optional.of(new EventStreamRoute(system, access, events, eventSettings)),
        Objects.requireNonNull(hosted, "hosted"));
  }

  private TugboatRoutes(ActorSystem<?> system, HttpSettings settings, Access access, EntityDirectory directory,
      KnownIds knownIds, SimulationList simulations, ServiceRecords services, Readiness readiness,
      Supplier<String> metricsScrape, Optional<EventStreamRoute> eventStream, HostedServices hosted) {
    this.eventStream = eventStream;
    Config config = system.settings().config();
    this.hostedServices = Optional.ofNullable(hosted).map(h -> new HostedServiceRoute(access, directory, h.names(),
        h.urls(), RequestLimits.fromConfig(config), config.getInt("tugboat.hosted.max-replicas"),
        settings.askTimeout(), system.scheduler()));
    this.proxy = Optional.ofNullable(hosted).map(h -> new ProxyRoute(system, ProxySettings.fromConfig(config), access,
        h.endpoints(), h.urls(), h.transport()));
    this.access = Objects.requireNonNull(access, "access");
    this.simulationList = new SimulationListRoute(access, simulations);
    this.serviceRecords = new ServiceRecordsRoute(services, this::knownService, settings.askTimeout());
    this.openApi = OpenApiDocument.load();
    this.sessions = new SessionRoutes(access);
    this.directory = Objects.requireNonNull(directory, "directory");
    this.knownIds = Objects.requireNonNull(knownIds, "knownIds");
    this.readiness = Objects.requireNonNull(readiness, "readiness");
    this.metricsScrape = Objects.requireNonNull(metricsScrape, "metricsScrape");
    this.askTimeout = settings.askTimeout();
    this.scheduler = system.scheduler();
    this.simulationControl = new SimulationControlRoute(access, directory, knownIds,
        RequestLimits.fromConfig(system.settings().config()), DeployLimits.fromConfig(system.settings().config()),
        askTimeout, scheduler);
  }

  /** The complete, sealed route: nothing it serves escapes as a non-JSON error or a dropped connection. */
  public Route route() {
    return accessLog(() ->
        handleExceptions(exceptionHandler(), () ->
            handleRejections(rejectionHandler(), this::endpoints)));
  }

  private Route endpoints() {
    return concat(
        proxy.map(ProxyRoute::hostForm).orElseGet(this::reject),
        dashboard.route(),
        simulationList.route(),
        simulationControl.route(),
        eventStream.map(EventStreamRoute::route).orElseGet(this::reject),
        hostedServices.map(HostedServiceRoute::route).orElseGet(this::reject),
        pathPrefix(segment("api").slash("v1").slash("simulations").slash(segment()), simulationId ->
            concat(
                pathEnd(() -> get(() -> access.read(who -> simulation(simulationId)))),
                path(segment("services").slash(segment()), modelId ->
                    get(() -> access.read(who -> service(simulationId, modelId)))),
                path(segment("services").slash(segment()).slash("events"), modelId ->
                    get(() -> access.read(who -> serviceRecords.events(simulationId, modelId)))),
                path(segment("services").slash(segment()).slash("logs"), modelId ->
                    get(() -> access.read(who -> serviceRecords.logs(simulationId, modelId)))),
                path(segment("services").slash(segment()).slash("retry"), modelId ->
                    post(() -> access.change(who -> serviceAction(simulationId, modelId, ServiceCommand.Retry::new)))),
                path(segment("services").slash(segment()).slash("abandon"), modelId ->
                    post(() -> access.change(who -> entity(Unmarshaller.entityToString(), body ->
                        abandon(simulationId, modelId, body))))))),
        sessions.route(),
        path(segment("api").slash("v1").slash("openapi.json"), () ->
            get(() -> access.read(who -> complete(HttpResponse.create()
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, openApi)))))),
        path(segment("health").slash("live"), () -> get(() -> completeOK(HealthBody.UP, Json.marshaller()))),
        path(segment("health").slash("ready"), () -> get(this::readiness)),
        path("metrics", () -> get(this::metrics)),
        proxy.map(ProxyRoute::pathForm).orElseGet(this::reject));
  }

  private Route simulation(String simulationId) {
    Optional<String> problem = Ids.problem("simulation id", simulationId);
    if (problem.isPresent()) {
      return badId(problem.get(), simulationId);
    }
    return ifKnown(knownIds.simulationExists(simulationId), "simulation not found", simulationId,
        () -> askSimulation(simulationId));
  }

  private Route askSimulation(String simulationId) {
    RecipientRef<SimulationCommand> entity = directory.simulation(simulationId);
    return onSuccess(ask(entity, SimulationCommand.Get::new), outcome -> {
      if (outcome instanceof Answered<SimulationReply> answered) {
        SimulationReply reply = answered.reply();
        if (reply instanceof SimulationReply.Found found) {
          return completeOK(found.simulation(), Json.marshaller());
        }
        return error(StatusCodes.NOT_FOUND, "simulation not found", simulationId);
      }
      return timedOut("simulation", simulationId);
    });
  }

  private Route service(String simulationId, String modelId) {
    return knownService(simulationId, modelId, this::askService);
  }

  /**
   * {@code then} for a valid id of a service the journal knows: 400 for an invalid id (the
   * simulation's first), 404 for an unknown service, 503 when the journal cannot be asked.
   */
  private Route knownService(String simulationId, String modelId, java.util.function.Function<ServiceId, Route> then) {
    Optional<String> problem = Ids.problem("simulation id", simulationId);
    if (problem.isPresent()) {
      return badId(problem.get(), simulationId);
    }
    problem = Ids.problem("model id", modelId);
    if (problem.isPresent()) {
      return badId(problem.get(), modelId);
    }
    ServiceId serviceId = new ServiceId(simulationId, modelId);
    return ifKnown(knownIds.serviceExists(serviceId), "service not found", serviceId.entityId(),
        () -> then.apply(serviceId));
  }

  private Route askService(ServiceId serviceId) {
    RecipientRef<ServiceCommand> entity = directory.service(serviceId);
    return onSuccess(ask(entity, ServiceCommand.Get::new), outcome -> {
      if (outcome instanceof Answered<ServiceReply> answered) {
        ServiceReply reply = answered.reply();
        if (reply instanceof ServiceReply.Found found) {
          return completeOK(found.service(), Json.marshaller());
        }
        return error(StatusCodes.NOT_FOUND, "service not found", serviceId.entityId());
      }
      return timedOut("service", serviceId.entityId());
    });
  }

  /**
   * An operator action on one service: 202 with the entity's detail when it accepted, 409 with
   * its reason when it refused (e.g. the service is not HELD).
   */
  private Route serviceAction(String simulationId, String modelId, Function<ActorRef<CommandReply>, ServiceCommand> command) {
    Optional<String> problem = Ids.problem("simulation id", simulationId).or(() -> Ids.problem("model id", modelId));
    if (problem.isPresent()) {
      return badId(problem.get(), Ids.problem("simulation id", simulationId).isPresent() ? simulationId : modelId);
    }
    ServiceId serviceId = new ServiceId(simulationId, modelId);
    return ifKnown(knownIds.serviceExists(serviceId), "service not found", serviceId.entityId(),
        () -> askServiceAction(serviceId, command));
  }

  private Route askServiceAction(ServiceId serviceId, Function<ActorRef<CommandReply>, ServiceCommand> command) {
    return onSuccess(ask(directory.service(serviceId), command), outcome -> {
      if (outcome instanceof Answered<CommandReply> answered) {
        if (answered.reply() instanceof CommandReply.Rejected rejected) {
          LOG.info("service {}: operator action refused: {}", serviceId, rejected.reason());
          return error(StatusCodes.CONFLICT, rejected.reason(), serviceId.entityId());
        }
        LOG.info("service {}: operator action accepted", serviceId);
        return complete(StatusCodes.ACCEPTED, new ActionBody("accepted", serviceId.entityId()), Json.marshaller());
      }
      return timedOut("service", serviceId.entityId());
    });
  }

  /** POST .../abandon: the body is optional; when present it is {@code {"reason": "..."}}. */
  private Route abandon(String simulationId, String modelId, String body) {
    AbandonRequest request;
    try {
      request = body.isBlank() ? new AbandonRequest(null) : Json.objectMapper().readValue(body, AbandonRequest.class);
    } catch (JsonProcessingException e) {
      return error(StatusCodes.BAD_REQUEST, "body must be {\"reason\": \"...\"}: " + e.getOriginalMessage(), null);
    }
    return serviceAction(simulationId, modelId,
        replyTo -> new ServiceCommand.Abandon(request.reasonOrDefault(), replyTo));
  }

  /**
   * 200 when every check passed, 503 otherwise; the body lists each check. A readiness that fails
   * as a whole (it should not) is answered as one failing check rather than a 500, so a probe
   * never mistakes it for a server error.
   */
  private Route readiness() {
    CompletionStage<ReadinessBody> body = readiness.check()
        .handle((checks, failure) -> failure == null ? ReadinessBody.of(checks)
            : ReadinessBody.of(List.of(Readiness.Check.failed("readiness", String.valueOf(unwrap(failure))))));
    return onSuccess(body, b -> {
      if (b.up()) {
        return completeOK(b, Json.marshaller());
      }
      LOG.debug("Not ready: {}", b.checks());
      return complete(StatusCodes.SERVICE_UNAVAILABLE, b, Json.marshaller());
    });
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  private Route metrics() {
    return complete(HttpResponse.create().withEntity(HttpEntities.create(METRICS_CONTENT_TYPE, metricsScrape.get())));
  }

  /**
   * Asks and folds a timeout into the result, so the route can answer 503 for it; any other
   * failure stays a failure and reaches the exception handler (500).
   */
  private <C, R> CompletionStage<AskOutcome<R>> ask(RecipientRef<C> entity, Function<ActorRef<R>, C> get) {
    return AskPattern.ask(entity, get, askTimeout, scheduler)
        .handle((reply, failure) -> {
          if (failure == null) {
            return new Answered<>(reply);
          }
          Throwable cause = unwrap(failure);
          if (cause instanceof TimeoutException) {
            return new TimedOut<>();
          }
          throw new CompletionException(cause);
        });
  }

  /**
   * {@code then} when {@code exists} says the id has an entity; 404 when it has none, without
   * touching sharding; 503 when the journal could not be asked.
   */
  private Route ifKnown(CompletionStage<Boolean> exists, String notFound, String id, Supplier<Route> then) {
    CompletionStage<Optional<Boolean>> answer = exists.handle((known, failure) -> {
      if (failure != null) {
        LOG.warn("Could not tell whether {} exists: {}", id, failure.getMessage());
        return Optional.empty();
      }
      return Optional.of(known);
    });
    return onSuccess(answer, known -> {
      if (known.isEmpty()) {
        return error(StatusCodes.SERVICE_UNAVAILABLE, "could not look up " + id + " in the journal", id);
      }
      return known.get() ? then.get() : error(StatusCodes.NOT_FOUND, notFound, id);
    });
  }

  private Route badId(String problem, String id) {
    LOG.debug("Rejected request for invalid id '{}': {}", Ids.printable(id), problem);
    return error(StatusCodes.BAD_REQUEST, problem, Ids.printable(id));
  }

  private Route timedOut(String kind, String entityId) {
    LOG.warn("The {} entity {} did not answer within {}", kind, entityId, askTimeout);
    return error(StatusCodes.SERVICE_UNAVAILABLE,
        kind + " " + entityId + " did not answer within " + askTimeout.toMillis() + " ms", entityId);
  }

  private Route error(StatusCode status, String message, String id) {
    return complete(status, new ErrorBody(message, id), Json.marshaller());
  }

  private RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rejections -> {
          HttpMethod[] allowed = rejections.stream().map(MethodRejection::supported).distinct()
              .toArray(HttpMethod[]::new);
          String names = String.join(", ", Arrays.stream(allowed).map(HttpMethod::value).toList());
          return complete(StatusCodes.METHOD_NOT_ALLOWED, List.of(Allow.create(allowed)),
              ErrorBody.of("method not allowed; supported: " + names), Json.marshaller());
        })
        .handleNotFound(extractRequest(request ->
            complete(StatusCodes.NOT_FOUND, ErrorBody.of("no such resource: " + request.getUri().path()),
                Json.marshaller())))
        .build()
        // Anything else (malformed headers, unsupported encodings) keeps Pekko's status and
        // message, re-dressed as JSON.
        .withFallback(RejectionHandler.defaultHandler().mapRejectionResponse(TugboatRoutes::textToJson));
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(failure -> extractRequest(request -> {
          LOG.error("Request {} {} failed", request.method().value(), request.getUri().path(), failure);
          return complete(StatusCodes.INTERNAL_SERVER_ERROR, ErrorBody.of("internal server error"), Json.marshaller());
        }))
        .build();
  }

  private Route accessLog(Supplier<Route> inner) {
    return extractRequest(request -> {
      long started = System.nanoTime();
      return mapResponse(response -> {
        logAccess(request, response, started);
        return response;
      }, inner);
    });
  }

  private static void logAccess(HttpRequest request, HttpResponse response, long startedNanos) {
    if (ACCESS.isDebugEnabled()) {
      ACCESS.debug("{} {} -> {} in {} ms", request.method().value(), request.getUri().path(),
          response.status().intValue(), (System.nanoTime() - startedNanos) / 1_000_000);
    }
  }

  private static HttpResponse textToJson(HttpResponse response) {
    if (response.entity() instanceof HttpEntity.Strict strict
        && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
      try {
        String json = Json.objectMapper().writeValueAsString(ErrorBody.of(strict.getData().utf8String()));
        return response.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write an error body as JSON", e);
      }
    }
    return response;
  }

  /** Body of POST .../abandon; the reason is optional. */
  public record AbandonRequest(String reason) {
    String reasonOrDefault() {
      return reason == null || reason.isBlank() ? "no reason given" : reason;
    }
  }

  /** Body of a 202 answer to an operator action. */
  public record ActionBody(String status, String id) {}

  /** What came back from an entity within the ask timeout, or that nothing did. */
  private sealed interface AskOutcome<R> {}

  private record Answered<R>(R reply) implements AskOutcome<R> {}

  private record TimedOut<R>() implements AskOutcome<R> {}
}
