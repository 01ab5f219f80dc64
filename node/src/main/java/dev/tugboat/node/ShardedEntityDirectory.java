package dev.tugboat.node;

import dev.tugboat.persistence.HostedServiceEntity;
import dev.tugboat.persistence.ServiceEntity;
import dev.tugboat.persistence.SimulationEntity;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** The cluster-wide {@link EntityDirectory}: resolves ids to sharded entity references. */
final class ShardedEntityDirectory implements EntityDirectory {
  private final ClusterSharding sharding;

  ShardedEntityDirectory(ActorSystem<?> system) {
    this.sharding = ClusterSharding.get(system);
  }

  @Override
  public RecipientRef<SimulationCommand> simulation(String simulationId) {
    return sharding.entityRefFor(SimulationEntity.ENTITY_KEY, simulationId);
  }

  @Override
  public RecipientRef<ServiceCommand> service(ServiceId serviceId) {
    return sharding.entityRefFor(ServiceEntity.ENTITY_KEY, serviceId.entityId());
  }

  @Override
  public RecipientRef<HostedCommand> hostedService(String name) {
    return sharding.entityRefFor(HostedServiceEntity.ENTITY_KEY, name);
  }
}
