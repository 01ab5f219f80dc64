package dev.tugboat.http;

import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.hosted.HostedReply;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceReply;
import dev.tugboat.protocol.service.ServiceView;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationReply;
import dev.tugboat.protocol.simulation.SimulationView;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A directory standing in for Cluster Sharding: each lookup starts a small entity that answers
 * one Get from fixed views (Found or NotFound), except ids starting with "silent", which go to a
 * probe that never answers. Every lookup is recorded, so a test can tell no entity was touched.
 * As {@link KnownIds} it stands in for the journal: the ids of its views and the silent ones
 * exist; checking an id starting with "broken" fails.
 */
final class FakeDirectory implements EntityDirectory, KnownIds {

  static final String SILENT_PREFIX = "silent";
  static final String BROKEN_PREFIX = "broken";

  /** Ids whose existence was checked (simulation ids, service entity ids). */
  final List<String> existenceChecks = new CopyOnWriteArrayList<>();

  final TestProbe<SimulationCommand> silentSimulations;
  /** Operator actions received, as "entityId retry" or "entityId abandon: reason". */
  final java.util.Queue<String> actions = new java.util.concurrent.ConcurrentLinkedQueue<>();
  final TestProbe<ServiceCommand> silentServices;
  final List<String> lookups = new CopyOnWriteArrayList<>();

  private final ActorTestKit testKit;
  private final Map<String, SimulationView> simulations;
  private final Map<String, ServiceView> services;
  private final AtomicLong spawned = new AtomicLong();

  FakeDirectory(ActorTestKit testKit, Map<String, SimulationView> simulations, Map<String, ServiceView> services) {
    this.testKit = testKit;
    this.simulations = Map.copyOf(simulations);
    this.services = Map.copyOf(services);
    this.silentSimulations = testKit.createTestProbe(SimulationCommand.class);
    this.silentServices = testKit.createTestProbe(ServiceCommand.class);
  }

  @Override
  public CompletionStage<Boolean> simulationExists(String simulationId) {
    existenceChecks.add(simulationId);
    if (simulationId.startsWith(BROKEN_PREFIX)) {
      return CompletableFuture.failedFuture(new IllegalStateException("journal unreachable"));
    }
    return CompletableFuture.completedFuture(
        simulations.containsKey(simulationId) || simulationId.startsWith(SILENT_PREFIX));
  }

  @Override
  public CompletionStage<Boolean> serviceExists(ServiceId serviceId) {
    existenceChecks.add(serviceId.entityId());
    if (serviceId.simulationId().startsWith(BROKEN_PREFIX)) {
      return CompletableFuture.failedFuture(new IllegalStateException("journal unreachable"));
    }
    return CompletableFuture.completedFuture(
        services.containsKey(serviceId.entityId()) || serviceId.simulationId().startsWith(SILENT_PREFIX));
  }

  @Override
  public RecipientRef<SimulationCommand> simulation(String simulationId) {
    lookups.add(simulationId);
    if (simulationId.startsWith(SILENT_PREFIX)) {
      return silentSimulations.ref();
    }
    SimulationView view = simulations.get(simulationId);
    Behavior<SimulationCommand> entity = Behaviors.receiveMessage(command -> {
      if (command instanceof SimulationCommand.Get get) {
        get.replyTo().tell(view == null ? new SimulationReply.NotFound(simulationId) : new SimulationReply.Found(view));
      }
      return Behaviors.stopped();
    });
    // systemActorOf does not block, unlike ActorTestKit.spawn: lookups happen on route threads.
    return testKit.system().systemActorOf(entity, "simulation-" + spawned.incrementAndGet(), Props.empty());
  }

  private static boolean isHeld(ServiceView view) {
    return view != null && view.phase() == ServiceView.Phase.HELD;
  }

  @Override
  public RecipientRef<ServiceCommand> service(ServiceId serviceId) {
    lookups.add(serviceId.entityId());
    if (serviceId.simulationId().startsWith(SILENT_PREFIX)) {
      return silentServices.ref();
    }
    ServiceView view = services.get(serviceId.entityId());
    Behavior<ServiceCommand> entity = Behaviors.receiveMessage(command -> {
      if (command instanceof ServiceCommand.Get get) {
        get.replyTo().tell(view == null ? new ServiceReply.NotFound(serviceId) : new ServiceReply.Found(view));
      } else if (command instanceof ServiceCommand.Retry retry) {
        actions.add(serviceId.entityId() + " retry");
        retry.replyTo().tell(isHeld(view) ? CommandReply.accepted() : new CommandReply.Rejected("service is not HELD"));
      } else if (command instanceof ServiceCommand.Abandon abandon) {
        actions.add(serviceId.entityId() + " abandon: " + abandon.reason());
        abandon.replyTo().tell(isHeld(view) ? CommandReply.accepted() : new CommandReply.Rejected("service is not HELD"));
      }
      return Behaviors.stopped();
    });
    return testKit.system().systemActorOf(entity, "service-" + spawned.incrementAndGet(), Props.empty());
  }

  @Override
  public RecipientRef<HostedCommand> hostedService(String name) {
    // No hosted service exists here: Get answers NotFound, every change Rejected.
    Behavior<HostedCommand> entity = Behaviors.receiveMessage(command -> {
      if (command instanceof HostedCommand.Get get) {
        get.replyTo().tell(new HostedReply.NotFound(name));
      } else if (command instanceof HostedCommand.Create create) {
        create.replyTo().tell(new CommandReply.Rejected("no hosted services here"));
      } else if (command instanceof HostedCommand.Delete delete) {
        delete.replyTo().tell(new CommandReply.Rejected("no hosted service " + name));
      } else if (command instanceof HostedCommand.Restart restart) {
        restart.replyTo().tell(new CommandReply.Rejected("no hosted service " + name));
      }
      return Behaviors.stopped();
    });
    return testKit.system().systemActorOf(entity, "hosted-" + spawned.incrementAndGet(), Props.empty());
  }
}
