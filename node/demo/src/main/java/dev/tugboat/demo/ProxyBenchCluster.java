package dev.tugboat.demo;

import dev.tugboat.http.KnownIds;
import dev.tugboat.http.LifecycleEvents;
import dev.tugboat.http.ServiceRecords;
import dev.tugboat.http.SimulationList;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.events.EventPosition;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceHistoryEntry;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * The control plane of {@code bench-proxy}'s node: one that holds no simulations and no events,
 * since only the proxy is measured. Every id is unknown (404), so no entity is ever asked; the
 * list, records and event stream answer that this node has none.
 */
final class ProxyBenchCluster implements EntityDirectory, KnownIds, SimulationList, ServiceRecords, LifecycleEvents {

  private static <T> CompletionStage<T> none(String what) {
    return CompletableFuture.failedFuture(new IllegalStateException("bench-proxy's node has no " + what));
  }

  @Override
  public CompletionStage<Boolean> simulationExists(String simulationId) {
    return CompletableFuture.completedFuture(false);
  }

  @Override
  public CompletionStage<Boolean> serviceExists(ServiceId serviceId) {
    return CompletableFuture.completedFuture(false);
  }

  @Override
  public RecipientRef<SimulationCommand> simulation(String simulationId) {
    throw new IllegalStateException("bench-proxy's node has no simulation " + simulationId);
  }

  @Override
  public RecipientRef<ServiceCommand> service(ServiceId serviceId) {
    throw new IllegalStateException("bench-proxy's node has no service " + serviceId);
  }

  @Override
  public RecipientRef<HostedCommand> hostedService(String name) {
    throw new IllegalStateException("bench-proxy's node has no hosted service entity " + name);
  }

  @Override
  public CompletionStage<Page> list(Query query) {
    return none("simulation list");
  }

  @Override
  public CompletionStage<List<ServiceHistoryEntry>> history(ServiceId serviceId) {
    return none("service history");
  }

  @Override
  public CompletionStage<LogTail> logTail(ServiceId serviceId, int lines) {
    return none("service logs");
  }

  @Override
  public int journals() {
    return 1;
  }

  @Override
  public CompletionStage<Opening> open(Optional<EventPosition> after) {
    return none("event stream");
  }
}
