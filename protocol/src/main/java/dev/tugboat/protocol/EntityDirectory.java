package dev.tugboat.protocol;

import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * Finds the entity for an id wherever it lives in the cluster. The adapters (MQTT, HTTP,
 * Kubernetes) route through it; the node implements it with Cluster Sharding.
 */
public interface EntityDirectory {

  RecipientRef<SimulationCommand> simulation(String simulationId);

  RecipientRef<ServiceCommand> service(ServiceId serviceId);

  /** The hosted service called {@code name} (its entity id is the name). */
  RecipientRef<HostedCommand> hostedService(String name);
}
