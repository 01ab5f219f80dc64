package dev.tugboat.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tugboat.http.auth.Access;
import dev.tugboat.http.auth.Principal;
import dev.tugboat.http.proxy.ServiceUrls;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.hosted.HostedReply;
import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.HostedSpecCheck;
import dev.tugboat.protocol.hosted.HostedStatus;
import dev.tugboat.protocol.hosted.HostedView;
import dev.tugboat.protocol.hosted.PublishedPort;
import dev.tugboat.protocol.hosted.Replicas;
import dev.tugboat.protocol.hosted.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosted services' API (docs/http-api.md, "Services"): {@code POST /api/v1/services} creates
 * (operator; 201 + Location, 200 for the same body again, 409 for another body under an existing
 * name, 400 for bad input), {@code GET /api/v1/services} lists, {@code GET /api/v1/services/{name}}
 * shows one with each published port's {@code url} and {@code initialUrl}, {@code DELETE} removes
 * (202), {@code POST .../restart} replaces the replicas one at a time (202; 409 while a restart or
 * the deletion runs). A service's owner is the caller unless the body names one.
 */
final class HostedServiceRoute extends AllDirectives {

  private static final Logger LOG = LoggerFactory.getLogger(HostedServiceRoute.class);
  private static final String COLLECTION = "/api/v1/services";
  private static final ObjectReader READER = Json.objectMapper().readerFor(ServiceRequest.class)
      .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Body of POST /api/v1/services. */
  public record ServiceRequest(String name, String image, Map<String, String> env, List<String> command,
                               Resources resources, List<PublishedPort> publishedPorts, Replicas replicas,
                               Duration idleTimeout, String owner) {}

  /** A published port as the API shows it: the spec's, plus where it is reached. */
  public record PortBody(int port, dev.tugboat.protocol.hosted.Access access, String label, String initialPath,
                         String url, String initialUrl) {}

  /** A hosted service as the API shows it. */
  public record ServiceBody(String name, String owner, String image, HostedView.Phase phase, HostedStatus status,
                            int desiredReplicas, Replicas replicas, List<HostedView.ReplicaView> replicaStates,
                            List<PortBody> ports, HostedSpec spec, Instant createdAt, Instant updatedAt) {}

  /** GET /api/v1/services. */
  public record ServiceList(List<ServiceBody> services) {}

  private final Access access;
  private final EntityDirectory directory;
  private final HostedServiceNames names;
  private final ServiceUrls urls;
  private final BoundedBody body;
  private final int maxReplicas;
  private final Duration askTimeout;
  private final Scheduler scheduler;

  HostedServiceRoute(Access access, EntityDirectory directory, HostedServiceNames names, ServiceUrls urls,
      RequestLimits requestLimits, int maxReplicas, Duration askTimeout, Scheduler scheduler) {
    this.access = Objects.requireNonNull(access, "access");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.names = Objects.requireNonNull(names, "names");
    this.urls = Objects.requireNonNull(urls, "urls");
    this.body = new BoundedBody(requestLimits, askTimeout);
    this.maxReplicas = maxReplicas;
    this.askTimeout = Objects.requireNonNull(askTimeout, "askTimeout");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  Route route() {
    return concat(
        path(segment("api").slash("v1").slash("services"), () -> concat(
            get(() -> access.read(who -> list())),
            post(() -> access.change(who -> body.text(text -> create(who, text)))))),
        path(segment("api").slash("v1").slash("services").slash(segment()), name -> concat(
            get(() -> access.read(who -> withName(name, () -> show(name)))),
            delete(() -> access.change(who -> withName(name, () -> delete(name)))))),
        path(segment("api").slash("v1").slash("services").slash(segment()).slash("restart"), name ->
            post(() -> access.change(who -> withName(name, () -> restart(name))))));
  }

  // ---- create ----

  private Route create(Principal who, String text) {
    ServiceRequest request;
    try {
      request = READER.readValue(text);
    } catch (Exception e) {
      String detail = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage();
      LOG.info("hosted service create refused: the body is not a service: {}", Ids.printable(detail, 300));
      return error(StatusCodes.BAD_REQUEST, "the body is not a service: " + Ids.printable(detail, 300), null);
    }
    if (request == null) {
      return error(StatusCodes.BAD_REQUEST, "the body is not a service: it is empty", null);
    }
    List<EnvVar> env = new ArrayList<>();
    if (request.env() != null) {
      request.env().forEach((k, v) -> env.add(new EnvVar(k, v)));
    }
    String owner = request.owner() == null || request.owner().isBlank() ? who.name() : request.owner().strip();
    HostedSpec spec = new HostedSpec(request.name(), request.image(), env, request.command(), request.resources(),
        request.publishedPorts(), request.replicas(), request.idleTimeout(), owner);
    List<String> problems = HostedSpecCheck.problems(spec, maxReplicas);
    String name = request.name() == null ? null : Ids.printable(request.name(), 60);
    if (!problems.isEmpty()) {
      String reason = "the service " + String.join("; it ", problems);
      LOG.info("hosted service {}: create refused, nothing persisted: {}", name, reason);
      return error(StatusCodes.BAD_REQUEST, reason, name);
    }
    return onSuccess(this.<CommandReply>ask(spec.name(), r -> new HostedCommand.Create(spec, r)), reply -> {
      if (reply.isEmpty()) {
        return timedOut(spec.name());
      }
      CommandReply r = reply.get();
      if (r instanceof CommandReply.Accepted) {
        LOG.info("hosted service {}: created over HTTP by {} ({} to {} replicas of {})", spec.name(), who.name(),
            spec.replicas().min(), spec.replicas().max(), spec.image());
        return respondWithHeaders(List.of(Location.create(Uri.create(COLLECTION).addPathSegment(spec.name()))),
            () -> withView(spec.name(), StatusCodes.CREATED));
      }
      if (r instanceof CommandReply.Duplicate) {
        return withView(spec.name(), StatusCodes.OK);
      }
      if (r instanceof CommandReply.Conflict c) {
        return error(StatusCodes.CONFLICT, c.reason(), spec.name());
      }
      return error(StatusCodes.BAD_REQUEST, ((CommandReply.Rejected) r).reason(), spec.name());
    });
  }

  // ---- read ----

  private Route list() {
    List<CompletableFuture<Optional<HostedReply>>> asks = names.names().stream()
        .map(n -> this.<HostedReply>ask(n, HostedCommand.Get::new).toCompletableFuture()).toList();
    CompletionStage<ServiceList> all = CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(v -> new ServiceList(asks.stream().map(CompletableFuture::join).flatMap(Optional::stream)
            .filter(HostedReply.Found.class::isInstance).map(f -> body(((HostedReply.Found) f).service())).toList()));
    return onSuccess(all, l -> complete(StatusCodes.OK, l, Json.marshaller()));
  }

  private Route show(String name) {
    return withView(name, StatusCodes.OK);
  }

  private Route withView(String name, StatusCode status) {
    return withView(name, status, StatusCodes.NOT_FOUND);
  }

  private Route withView(String name, StatusCode status, StatusCode notFound) {
    return onSuccess(this.<HostedReply>ask(name, HostedCommand.Get::new), reply -> {
      if (reply.isEmpty()) {
        return timedOut(name);
      }
      if (reply.get() instanceof HostedReply.Found found) {
        return complete(status, body(found.service()), Json.marshaller());
      }
      if (notFound.equals(StatusCodes.NO_CONTENT)) {
        return complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
      }
      return error(notFound, "hosted service not found", name);
    });
  }

  ServiceBody body(HostedView v) {
    HostedSpec s = v.spec();
    List<PortBody> ports = new ArrayList<>();
    for (int i = 0; i < s.publishedPorts().size(); i++) {
      PublishedPort p = s.publishedPorts().get(i);
      ports.add(new PortBody(p.port(), p.access(), p.label(), p.initialPath(), urls.url(s.name(), p.port(), i == 0),
          urls.initialUrl(s.name(), p.port(), i == 0, p.initialPath())));
    }
    return new ServiceBody(s.name(), s.owner(), s.image(), v.phase(), v.status(), v.desiredReplicas(), s.replicas(),
        v.replicas(), ports, s, v.createdAt(), v.updatedAt());
  }

  // ---- delete, restart ----

  /** An accepted deletion that is over before its view is read (every pod was gone already) answers 204: the name is free. */
  private Route delete(String name) {
    return change(name, HostedCommand.Delete::new, "deleting", StatusCodes.NO_CONTENT);
  }

  private Route restart(String name) {
    return change(name, HostedCommand.Restart::new, "restarting", StatusCodes.NOT_FOUND);
  }

  /**
   * 202 with the view when accepted, 409 for a conflict, 404 when there is no such service;
   * {@code goneMeanwhile} when the change was accepted but the service no longer exists when its
   * view is read.
   */
  private Route change(String name, org.apache.pekko.japi.function.Function<ActorRef<CommandReply>, HostedCommand> command,
      String what, StatusCode goneMeanwhile) {
    return onSuccess(this.<CommandReply>ask(name, command), reply -> {
      if (reply.isEmpty()) {
        return timedOut(name);
      }
      CommandReply r = reply.get();
      if (r instanceof CommandReply.Accepted) {
        LOG.info("hosted service {}: {} asked over HTTP", name, what);
        return withView(name, StatusCodes.ACCEPTED, goneMeanwhile);
      }
      if (r instanceof CommandReply.Conflict c) {
        return error(StatusCodes.CONFLICT, c.reason(), name);
      }
      return error(StatusCodes.NOT_FOUND, "hosted service not found", name);
    });
  }

  // ---- shared ----

  private Route withName(String name, java.util.function.Supplier<Route> inner) {
    Optional<String> problem = HostedSpecCheck.nameProblem(name);
    if (problem.isPresent()) {
      LOG.info("hosted service request refused: the service {}", problem.get());
      return error(StatusCodes.BAD_REQUEST, "the service " + problem.get(), Ids.printable(name, 60));
    }
    return inner.get();
  }

  private <R> CompletionStage<Optional<R>> ask(String name,
      org.apache.pekko.japi.function.Function<ActorRef<R>, HostedCommand> command) {
    return AskReplies.orEmptyOnTimeout(AskPattern.ask(directory.hostedService(name), command, askTimeout, scheduler));
  }

  private Route timedOut(String name) {
    LOG.warn("The hosted service {} did not answer within {}", name, askTimeout);
    return error(StatusCodes.SERVICE_UNAVAILABLE,
        "hosted service " + name + " did not answer within " + askTimeout.toMillis() + " ms", name);
  }

  private Route error(StatusCode status, String message, String id) {
    return complete(status, new ErrorBody(message, id), Json.marshaller());
  }
}
