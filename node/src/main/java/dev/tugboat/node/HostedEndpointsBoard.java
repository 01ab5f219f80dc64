package dev.tugboat.node;

import dev.tugboat.http.HostedServiceNames;
import dev.tugboat.http.proxy.ProxiedService;
import dev.tugboat.http.proxy.ServiceEndpoints;
import dev.tugboat.persistence.HostedPublisher;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.hosted.Access;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.hosted.HostedEndpoint;
import dev.tugboat.protocol.hosted.PublishedPort;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Every node's view of the hosted services, for the proxy and the service list: each service's
 * entity publishes what the proxy needs ({@link HostedEndpoint}: owner, ports, ready replicas)
 * into a Distributed Data map replicated to every node (an LWWMap keyed by name; written to a
 * majority, so a failover's new incarnation, which writes later, wins), and each node keeps the
 * latest map in memory, so {@link #find} never asks an entity. The node that writes sees its own
 * change at once; the others within a gossip round. Load reports go to the service's entity.
 */
final class HostedEndpointsBoard implements HostedPublisher, ServiceEndpoints, HostedServiceNames {

  static final Key<LWWMap<String, HostedEndpoint>> KEY = LWWMapKey.create("tugboat-hosted-services");
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);

  private sealed interface Command {}

  private record Publish(HostedEndpoint endpoint) implements Command {}

  private record Remove(String name) implements Command {}

  private record Changed(Replicator.SubscribeResponse<LWWMap<String, HostedEndpoint>> response) implements Command {}

  private record Written(Replicator.UpdateResponse<LWWMap<String, HostedEndpoint>> response) implements Command {}

  private final EntityDirectory directory;
  private final String node;
  private volatile Map<String, HostedEndpoint> services = Map.of();
  private ActorRef<Command> writer;

  private HostedEndpointsBoard(EntityDirectory directory, String node) {
    this.directory = directory;
    this.node = node;
  }

  /** Starts this node's board: its writer actor subscribes to the map. */
  static HostedEndpointsBoard start(ActorSystem<?> system, EntityDirectory directory) {
    HostedEndpointsBoard board = new HostedEndpointsBoard(directory,
        Cluster.get(system).selfMember().address().toString());
    board.writer = system.systemActorOf(board.behavior(), "hosted-endpoints", Props.empty());
    return board;
  }

  private Behavior<Command> behavior() {
    return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWMap<String, HostedEndpoint>> replicator) -> {
          SelfUniqueAddress self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
          replicator.subscribe(KEY, Changed::new);
          Replicator.WriteConsistency write = new Replicator.WriteMajority(WRITE_TIMEOUT);
          return Behaviors.receive(Command.class)
              .onMessage(Publish.class, p -> {
                HostedEndpoint e = p.endpoint();
                local(m -> m.put(e.name(), e));
                replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), write, replyTo,
                    map -> map.put(self, e.name(), e)), Written::new);
                return Behaviors.same();
              })
              .onMessage(Remove.class, r -> {
                local(m -> m.remove(r.name()));
                replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), write, replyTo,
                    map -> map.remove(self, r.name())), Written::new);
                return Behaviors.same();
              })
              .onMessage(Changed.class, c -> {
                if (c.response() instanceof Replicator.Changed<LWWMap<String, HostedEndpoint>> changed) {
                  services = Map.copyOf(changed.get(KEY).getEntries());
                }
                return Behaviors.same();
              })
              .onMessage(Written.class, w -> {
                if (!(w.response() instanceof Replicator.UpdateSuccess)) {
                  // Written locally all the same; gossip carries it to the others.
                  ctx.getLog().debug("hosted services board: write not confirmed by a majority: {}", w.response());
                }
                return Behaviors.same();
              })
              .build();
        }));
  }

  private void local(java.util.function.Consumer<Map<String, HostedEndpoint>> change) {
    Map<String, HostedEndpoint> m = new HashMap<>(services);
    change.accept(m);
    services = Map.copyOf(m);
  }

  @Override
  public void publish(HostedEndpoint endpoint) {
    writer.tell(new Publish(endpoint));
  }

  @Override
  public void remove(String name) {
    writer.tell(new Remove(name));
  }

  @Override
  public Optional<ProxiedService> find(String name) {
    HostedEndpoint e = services.get(name);
    if (e == null) {
      return Optional.empty();
    }
    Map<Integer, ProxiedService.PublishedPort> ports = new LinkedHashMap<>();
    for (PublishedPort p : e.ports()) {
      ports.put(p.port(), new ProxiedService.PublishedPort(p.port(), p.access() == Access.PUBLIC, p.label(),
          p.initialPath()));
    }
    List<ProxiedService.Replica> ready = e.ready().stream()
        .map(r -> new ProxiedService.Replica(r.id(), r.host())).toList();
    return Optional.of(new ProxiedService(e.name(), e.owner(), ports, ready));
  }

  @Override
  public void reportLoad(String name, Map<String, Integer> inFlightByReplica) {
    directory.hostedService(name).tell(new HostedCommand.ReportLoad(node, inFlightByReplica));
  }

  @Override
  public List<String> names() {
    return services.keySet().stream().sorted().toList();
  }
}
