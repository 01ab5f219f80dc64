package dev.tugboat.protocol.hosted;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;

/**
 * What a hosted service needs to know of one of its pods, translated from the Kubernetes object
 * by the gateway: which service and replica slot and generation it is (from its labels), the
 * lowest of its containers' states with that container's reason (e.g. ContainerCreating,
 * ErrImagePull), whether Kubernetes counts it ready, its IP, and its exit code once terminated.
 */
public record HostedPod(
    String podName,
    String service,
    int slot,
    long generation,
    String phase,
    ContainerState container,
    String reason,
    String message,
    boolean ready,
    String podIp,
    Integer exitCode,
    boolean terminating) implements CborSerializable {}
