package dev.tugboat.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tugboat.http.auth.Access;
import dev.tugboat.http.auth.Principal;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.DeployValidator;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationReply;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane: {@code POST /api/v1/simulations} deploys (the JSON form of a DeployModels,
 * checked by the same {@link DeployValidator} as MQTT input before anything reaches an entity) and
 * {@code DELETE /api/v1/simulations/{id}} terminates. Both need an operator ({@link Access#change},
 * which audits them); a body past {@link RequestLimits} is 413. Deploy answers 201 with a Location
 * (new), 200 (the same body again), 409 (the id exists with other content), 400 (bad input; nothing
 * is persisted). Terminate answers 202 (started or under way), 200 (already ended), 404 (unknown:
 * looked up in {@link KnownIds}, never waking an entity). Both answer with the simulation's view.
 * See docs/http-api.md.
 */
final class SimulationControlRoute extends AllDirectives {

  private static final Logger LOG = LoggerFactory.getLogger(SimulationControlRoute.class);
  private static final String COLLECTION = "/api/v1/simulations";
  private static final ObjectReader TERMINATE_READER = Json.objectMapper().readerFor(TerminateRequest.class)
      .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Body of DELETE /api/v1/simulations/{id}; optional, and so is its reason. */
  public record TerminateRequest(String reason) {}

  /** Body of an answer when the simulation's view could not be read in time. */
  public record ControlBody(String status, String id) {}

  private final Access access;
  private final EntityDirectory directory;
  private final KnownIds knownIds;
  private final BoundedBody body;
  private final DeployLimits deployLimits;
  private final Duration askTimeout;
  private final Scheduler scheduler;

  SimulationControlRoute(Access access, EntityDirectory directory, KnownIds knownIds, RequestLimits requestLimits,
      DeployLimits deployLimits, Duration askTimeout, Scheduler scheduler) {
    this.access = Objects.requireNonNull(access, "access");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.knownIds = Objects.requireNonNull(knownIds, "knownIds");
    this.body = new BoundedBody(requestLimits, askTimeout);
    this.deployLimits = Objects.requireNonNull(deployLimits, "deployLimits");
    this.askTimeout = Objects.requireNonNull(askTimeout, "askTimeout");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  Route route() {
    return concat(
        path(segment("api").slash("v1").slash("simulations"), () ->
            post(() -> access.change(who -> body.text(this::deploy)))),
        path(segment("api").slash("v1").slash("simulations").slash(segment()), simulationId ->
            delete(() -> access.change(who -> body.text(text -> terminate(who, simulationId, text))))));
  }

  // ---------------------------------------------------------------- deploy

  private Route deploy(String body) {
    DeployRequest request;
    try {
      request = DeployRequest.parse(body);
    } catch (IllegalArgumentException e) {
      return error(StatusCodes.BAD_REQUEST, e.getMessage(), null);
    }
    String simulationId = request.simulationId();
    Optional<String> idProblem = Ids.problem("simulationId", simulationId);
    if (idProblem.isPresent()) {
      return error(StatusCodes.BAD_REQUEST, idProblem.get(), simulationId == null ? null : Ids.printable(simulationId));
    }
    List<ModelSpec> models = request.modelSpecs();
    double keepLogsHours = request.keepLogsHoursOrZero();
    Optional<String> problem = DeployValidator.validate(simulationId, request.simulatorId(), models, keepLogsHours,
        deployLimits).problem();
    if (problem.isPresent()) {
      LOG.info("simulation {}: deploy over HTTP refused, nothing persisted: {}", Ids.printable(simulationId),
          problem.get());
      return error(StatusCodes.BAD_REQUEST, problem.get(), simulationId);
    }
    return onSuccess(this.<CommandReply>ask(directory.simulation(simulationId), replyTo ->
        new SimulationCommand.Deploy(request.simulatorId(), models, keepLogsHours, replyTo)), reply -> {
          if (reply.isEmpty()) {
            return timedOut(simulationId);
          }
          CommandReply r = reply.get();
          if (r instanceof CommandReply.Accepted) {
            LOG.info("simulation {}: deployed over HTTP, {} model(s)", simulationId, models.size());
            return withView(simulationId, StatusCodes.CREATED, "deployed",
                List.of(Location.create(Uri.create(COLLECTION).addPathSegment(simulationId))));
          }
          if (r instanceof CommandReply.Duplicate) {
            return withView(simulationId, StatusCodes.OK, "already deployed", List.of());
          }
          if (r instanceof CommandReply.Conflict c) {
            return error(StatusCodes.CONFLICT, c.reason(), simulationId);
          }
          String reason = r instanceof CommandReply.Rejected rejected ? rejected.reason() : String.valueOf(r);
          return error(StatusCodes.CONFLICT, "simulation exists and was rejected: " + reason, simulationId);
        });
  }

  // ---------------------------------------------------------------- terminate

  private Route terminate(Principal who, String simulationId, String body) {
    Optional<String> idProblem = Ids.problem("simulation id", simulationId);
    if (idProblem.isPresent()) {
      return error(StatusCodes.BAD_REQUEST, idProblem.get(), Ids.printable(simulationId));
    }
    String reason;
    try {
      TerminateRequest request = body.isBlank() ? new TerminateRequest(null) : TERMINATE_READER.readValue(body);
      reason = request == null || request.reason() == null || request.reason().isBlank()
          ? "no reason given" : request.reason();
    } catch (JsonProcessingException e) {
      return error(StatusCodes.BAD_REQUEST, "body must be empty or {\"reason\": \"...\"}: "
          + Ids.printable(e.getOriginalMessage(), 300), simulationId);
    }
    CompletionStage<Optional<Boolean>> known = knownIds.simulationExists(simulationId).handle((exists, failure) -> {
      if (failure != null) {
        LOG.warn("Could not tell whether simulation {} exists: {}", simulationId, failure.getMessage());
        return Optional.empty();
      }
      return Optional.of(exists);
    });
    return onSuccess(known, exists -> {
      if (exists.isEmpty()) {
        return error(StatusCodes.SERVICE_UNAVAILABLE, "could not look up " + simulationId + " in the journal",
            simulationId);
      }
      if (!exists.get()) {
        return error(StatusCodes.NOT_FOUND, "simulation not found", simulationId);
      }
      return askTerminate(simulationId, reason, who.name());
    });
  }

  private Route askTerminate(String simulationId, String reason, String who) {
    return onSuccess(this.<CommandReply>ask(directory.simulation(simulationId),
        replyTo -> new SimulationCommand.Terminate(reason, who, replyTo)), reply -> {
          if (reply.isEmpty()) {
            return timedOut(simulationId);
          }
          CommandReply r = reply.get();
          if (r instanceof CommandReply.Accepted) {
            return withView(simulationId, StatusCodes.ACCEPTED, "terminating", List.of());
          }
          if (r instanceof CommandReply.Duplicate) {
            return withView(simulationId, StatusCodes.OK, "ended", List.of());
          }
          if (r instanceof CommandReply.Conflict c) {
            return error(StatusCodes.CONFLICT, c.reason(), simulationId);
          }
          return error(StatusCodes.NOT_FOUND, "simulation not found", simulationId);
        });
  }

  // ---------------------------------------------------------------- shared

  /** {@code status} with the simulation's view as the body (a short body when it does not answer in time). */
  private Route withView(String simulationId, StatusCode status, String what, List<HttpHeader> headers) {
    return onSuccess(this.<SimulationReply>ask(directory.simulation(simulationId), SimulationCommand.Get::new),
        reply -> {
      Object body = reply.filter(SimulationReply.Found.class::isInstance)
          .<Object>map(found -> ((SimulationReply.Found) found).simulation())
          .orElseGet(() -> new ControlBody(what, simulationId));
      return respondWithHeaders(headers, () -> complete(status, body, Json.marshaller()));
    });
  }

  /** The reply, or empty when none came within ask-timeout; any other failure reaches the exception handler. */
  private <R> CompletionStage<Optional<R>> ask(org.apache.pekko.actor.typed.RecipientRef<SimulationCommand> entity,
      org.apache.pekko.japi.function.Function<ActorRef<R>, SimulationCommand> command) {
    return AskReplies.orEmptyOnTimeout(AskPattern.ask(entity, command, askTimeout, scheduler));
  }

  private Route timedOut(String simulationId) {
    LOG.warn("The simulation entity {} did not answer within {}", simulationId, askTimeout);
    return error(StatusCodes.SERVICE_UNAVAILABLE,
        "simulation " + simulationId + " did not answer within " + askTimeout.toMillis() + " ms", simulationId);
  }

  private Route error(StatusCode status, String message, String id) {
    return complete(status, new ErrorBody(message, id), Json.marshaller());
  }
}
