package dev.tugboat.protocol.kubernetes;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.hosted.HostedPod;
import java.util.List;

/**
 * Reply to {@link KubernetesCommand.ListOwnPods}: this deployment's pods from the informer cache,
 * the models' ({@code pods}) and the hosted services' ({@code hosted}). synced false: the watch is
 * not synced, so the lists say nothing (they are then empty).
 */
public record OwnPods(boolean synced, List<PodSnapshot> pods, List<HostedPod> hosted) implements CborSerializable {
  public OwnPods {
    pods = List.copyOf(pods);
    hosted = hosted == null ? List.of() : List.copyOf(hosted);
  }

  /** Model pods only. */
  public OwnPods(boolean synced, List<PodSnapshot> pods) {
    this(synced, pods, List.of());
  }
}
