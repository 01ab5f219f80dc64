package dev.tugboat.node;

import dev.tugboat.persistence.ServiceEntity;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The directory the Kubernetes gateway's informer uses to feed pod changes to services. Every
 * node watches the pods (its cache answers LookupPod), but a pod change is forwarded only by the
 * node that hosts the service's shard, so a cluster of N nodes does not deliver each change N
 * times. While this node's shard set is not known yet it forwards everything; a change dropped
 * during a shard hand-over or a failover is picked up by the service's LookupPod, made when it
 * has recovered on its new node and on every tick.
 */
final class LocalShardEvents implements EntityDirectory {
  private static final Duration REFRESH = Duration.ofSeconds(1);

  private final EntityDirectory cluster;
  private final int numberOfShards;
  private volatile Set<String> localShards = null;

  LocalShardEvents(EntityDirectory cluster, int numberOfShards) {
    this.cluster = cluster;
    this.numberOfShards = numberOfShards;
  }

  static LocalShardEvents start(ActorSystem<?> system, EntityDirectory cluster) {
    int shards = system.settings().config().getInt("pekko.cluster.sharding.number-of-shards");
    LocalShardEvents events = new LocalShardEvents(cluster, shards);
    system.systemActorOf(events.refresher(), "local-shards", Props.empty());
    return events;
  }

  private Behavior<Object> refresher() {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<ShardRegion.CurrentShardRegionState> self = ctx.getSelf().narrow();
      timers.startTimerWithFixedDelay("refresh", "refresh", REFRESH);
      return Behaviors.receive(Object.class)
          .onMessageEquals("refresh", () -> {
            ClusterSharding.get(ctx.getSystem()).shardState()
                .tell(new GetShardRegionState(ServiceEntity.ENTITY_KEY, self));
            return Behaviors.same();
          })
          .onMessage(ShardRegion.CurrentShardRegionState.class, state -> {
            localShards = state.getShards().stream().map(ShardRegion.ShardState::shardId)
                .collect(Collectors.toUnmodifiableSet());
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** The shard of a service entity, as Cluster Sharding's default extractor computes it. */
  String shardOf(ServiceId id) {
    return Integer.toString(Math.abs(id.entityId().hashCode() % numberOfShards));
  }

  @Override
  public RecipientRef<SimulationCommand> simulation(String simulationId) {
    return cluster.simulation(simulationId);
  }

  @Override
  public RecipientRef<ServiceCommand> service(ServiceId serviceId) {
    Set<String> local = localShards;
    if (local == null || local.isEmpty() || local.contains(shardOf(serviceId))) {
      return cluster.service(serviceId);
    }
    return DROP;
  }

  /**
   * Every node forwards its hosted-service pod changes: they are few (a handful of replicas, each
   * changing a few times in its life), a repeated observation changes nothing, and a service is
   * never left without news while this node's shard set is being learnt.
   */
  @Override
  public RecipientRef<HostedCommand> hostedService(String name) {
    return cluster.hostedService(name);
  }

  /** Where pod changes for services hosted by another node go: nowhere. */
  private static final RecipientRef<ServiceCommand> DROP = new RecipientRef<>() {
    @Override
    public void tell(ServiceCommand message) {}
  };
}
