package dev.tugboat.http;

import dev.tugboat.http.auth.Access;
import dev.tugboat.protocol.EntityDirectory;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds {@link TugboatRoutes} on the configured interface and port. The binding joins the
 * system's coordinated shutdown, so in-flight requests finish (up to the termination deadline)
 * before the node leaves.
 */
public final class HttpServer {

  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

  private HttpServer() {}

  /**
   * Starts serving. The stage fails when the port cannot be bound; the caller decides whether
   * that ends the node.
   *
   * @param access who may read and who may change (tokens, session cookies, anonymous reading)
   * @param knownIds whether an id has an entity, asked before any entity is resolved
   * @param simulations the simulation list (GET /api/v1/simulations), read without waking entities
   * @param services a service's history and log tail (GET .../services/{modelId}/events and /logs)
   * @param readiness whether this node should receive traffic, check by check (GET /health/ready)
   * @param metricsScrape the Prometheus text exposition, produced per scrape (GET /metrics)
   */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, HttpSettings settings, Access access,
      EntityDirectory directory, KnownIds knownIds, SimulationList simulations, ServiceRecords services,
      Readiness readiness, Supplier<String> metricsScrape) {
    return bind(system, settings, new TugboatRoutes(system, settings, access, directory, knownIds, simulations,
        services, readiness, metricsScrape));
  }

  /** As {@link #start(ActorSystem, HttpSettings, Access, EntityDirectory, KnownIds, SimulationList,
   * ServiceRecords, Readiness, Supplier)}, also serving the event stream of {@code events} (GET /api/v1/events). */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, HttpSettings settings, Access access,
      EntityDirectory directory, KnownIds knownIds, SimulationList simulations, ServiceRecords services,
      Readiness readiness, Supplier<String> metricsScrape, LifecycleEvents events, EventStreamSettings eventSettings) {
    return bind(system, settings, new TugboatRoutes(system, settings, access, directory, knownIds, simulations,
        services, readiness, metricsScrape, events, eventSettings));
  }

  /** As the one above, also serving the hosted services' API and the proxy to them (docs/http-api.md, "Services"). */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, HttpSettings settings, Access access,
      EntityDirectory directory, KnownIds knownIds, SimulationList simulations, ServiceRecords services,
      Readiness readiness, Supplier<String> metricsScrape, LifecycleEvents events, EventStreamSettings eventSettings,
      HostedServices hosted) {
    return bind(system, settings, new TugboatRoutes(system, settings, access, directory, knownIds, simulations,
        services, readiness, metricsScrape, events, eventSettings, hosted));
  }

  private static CompletionStage<ServerBinding> bind(ActorSystem<?> system, HttpSettings settings,
      TugboatRoutes routes) {
    return Http.get(system)
        .newServerAt(settings.interfaceAddress(), settings.port())
        .bind(routes.route())
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            // The caller gets the exception itself; the log line only has to say what failed.
            LOG.error("HTTP server could not bind {}:{}: {}", settings.interfaceAddress(), settings.port(),
                failure.getMessage());
          } else {
            binding.addToCoordinatedShutdown(settings.terminationDeadline(), system);
            LOG.info("HTTP server listening on {}", binding.localAddress());
          }
        });
  }
}
