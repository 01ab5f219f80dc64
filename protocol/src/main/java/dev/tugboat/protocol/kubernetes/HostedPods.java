package dev.tugboat.protocol.kubernetes;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.hosted.HostedPod;
import java.util.List;

/**
 * Reply to {@link KubernetesCommand.ListHostedPods}: the service's pods from the informer cache.
 * synced false: the watch is not synced, so the list says nothing (it is then empty).
 */
public record HostedPods(boolean synced, List<HostedPod> pods) implements CborSerializable {
  public HostedPods {
    pods = List.copyOf(pods);
  }
}
