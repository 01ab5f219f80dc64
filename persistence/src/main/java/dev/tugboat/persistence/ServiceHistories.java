package dev.tugboat.persistence;

import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.service.ServiceHistoryEntry;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A service's history and stored log tail, read from the journal through the read journals
 * (currentEventsByPersistenceId), never by asking the entity: reading them wakes nothing. The
 * service's own events give every step but one; READY is the simulation's ModelReady of that
 * model, so the simulation's journal is read too.
 */
public final class ServiceHistories {

  /**
   * What the journal holds of a service's pod log: the pod's name (null when the service journaled
   * nothing), whether the pod may still exist (created, not deleted since), and the tail captured
   * when its container ended (at most tugboat.entities.log-tail-lines; empty when it exited 0 or
   * has not ended).
   */
  public record StoredLog(String podName, boolean podMayExist, List<String> lines) {
    public StoredLog {
      lines = List.copyOf(lines);
    }
  }

  private final ActorSystem<?> system;
  private final JdbcReadJournal services;
  private final JdbcReadJournal simulations;

  private ServiceHistories(ActorSystem<?> system, JdbcReadJournal services, JdbcReadJournal simulations) {
    this.system = system;
    this.services = services;
    this.simulations = simulations;
  }

  /** The read journals of both entity types, as the node's configuration places their journals. */
  public static ServiceHistories of(ActorSystem<?> system) {
    PersistenceQuery query = PersistenceQuery.get(system.classicSystem());
    String simulationReadJournal = NotificationProjection.readJournalPlugin(system.settings().config());
    return new ServiceHistories(system,
        query.getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier()),
        query.getReadJournalFor(JdbcReadJournal.class, simulationReadJournal));
  }

  /** Every step of the service so far, oldest first; empty when it journaled nothing. */
  public CompletionStage<List<ServiceHistoryEntry>> history(ServiceId serviceId) {
    return serviceEvents(serviceId).thenCombine(modelReady(serviceId),
        (service, simulation) -> ServiceHistoryMapping.entries(service, simulation, serviceId.modelId()));
  }

  /** What the journal holds of the service's pod log. */
  public CompletionStage<StoredLog> storedLog(ServiceId serviceId) {
    return serviceEvents(serviceId).thenApply(ServiceHistoryMapping::storedLog);
  }

  private CompletionStage<List<ServiceEvent>> serviceEvents(ServiceId serviceId) {
    String persistenceId = PersistenceId.of(ServiceEntity.ENTITY_KEY.name(), serviceId.entityId()).id();
    return services.currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
        .map(envelope -> envelope.event())
        .filter(ServiceEvent.class::isInstance)
        .map(ServiceEvent.class::cast)
        .runWith(Sink.seq(), system);
  }

  /** Only the simulation's ModelReady events of this model are kept: the rest are other models' or the SO's. */
  private CompletionStage<List<SimulationEvent>> modelReady(ServiceId serviceId) {
    String persistenceId = PersistenceId.of(SimulationEntity.ENTITY_KEY.name(), serviceId.simulationId()).id();
    return simulations.currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
        .map(envelope -> envelope.event())
        .filter(e -> e instanceof SimulationEvent.ModelReady ready && ready.modelId().equals(serviceId.modelId()))
        .map(SimulationEvent.class::cast)
        .runWith(Sink.seq(), system);
  }
}
