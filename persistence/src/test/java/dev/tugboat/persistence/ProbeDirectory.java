package dev.tugboat.persistence;

import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.RecipientRef;

/** An EntityDirectory whose every simulation and service is one TestProbe each. */
final class ProbeDirectory implements EntityDirectory {
  final TestProbe<SimulationCommand> simulations;
  final TestProbe<ServiceCommand> services;
  final TestProbe<HostedCommand> hosted;

  ProbeDirectory(ActorTestKit testKit) {
    this.simulations = testKit.createTestProbe(SimulationCommand.class);
    this.services = testKit.createTestProbe(ServiceCommand.class);
    this.hosted = testKit.createTestProbe(HostedCommand.class);
  }

  @Override
  public RecipientRef<SimulationCommand> simulation(String simulationId) {
    return simulations.ref();
  }

  @Override
  public RecipientRef<ServiceCommand> service(ServiceId serviceId) {
    return services.ref();
  }

  @Override
  public RecipientRef<HostedCommand> hostedService(String name) {
    return hosted.ref();
  }
}
