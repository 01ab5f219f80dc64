package dev.tugboat.protocol.kubernetes;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.ServiceId;

/**
 * What Tugboat needs to know of one pod, translated from the Kubernetes object by the gateway.
 * serviceId comes from the pod's annotations (the exact DOTS ids); exitCode is set iff the
 * model container is TERMINATED.
 */
public record PodSnapshot(
    String podName,
    ServiceId serviceId,
    String phase,
    ContainerState container,
    Integer exitCode,
    String reason,
    String message,
    boolean terminating) implements CborSerializable {

  /** The model container's state. */
  public enum ContainerState { WAITING, RUNNING, TERMINATED, UNKNOWN }
}
