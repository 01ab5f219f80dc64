package dev.tugboat.protocol.kubernetes;

import dev.tugboat.protocol.CborSerializable;
import java.util.List;

/**
 * Reply to {@link KubernetesCommand.ListOwnPods}: this deployment's pods from the informer cache.
 * synced false: the watch is not synced, so the list says nothing (it is then empty).
 */
public record OwnPods(boolean synced, List<PodSnapshot> pods) implements CborSerializable {
  public OwnPods {
    pods = List.copyOf(pods);
  }
}
