package dev.tugboat.k8s;

import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.hosted.HostedPodNames;
import dev.tugboat.protocol.hosted.HostedSpec;

/**
 * The pod a create asks for: a model's (DOTS conventions, {@link PodFactory}) or a hosted
 * service's replica ({@link HostedPodFactory}). Creates take admission turns by their turn key:
 * the simulation, or the hosted service.
 */
sealed interface PodOrder {

  String podName();

  /** The admission queue's turn: creates of one turn are admitted in the order asked. */
  String turn();

  /** API writes of the create: two when a Secret is written with the pod. */
  int writes();

  /** A model's pod. */
  record ModelPod(ServiceSpec spec) implements PodOrder {
    @Override
    public String podName() {
      return spec.podName();
    }

    @Override
    public String turn() {
      return spec.simulationId();
    }

    @Override
    public int writes() {
      return PodFactory.needsSecret(spec) ? 2 : 1;
    }
  }

  /** Replica {@code slot} of a hosted service in its {@code generation}. */
  record HostedReplica(HostedSpec spec, int slot, long generation) implements PodOrder {
    @Override
    public String podName() {
      return HostedPodNames.podName(spec.name(), slot, generation);
    }

    @Override
    public String turn() {
      return "hosted/" + spec.name();
    }

    @Override
    public int writes() {
      return 1;
    }
  }
}
