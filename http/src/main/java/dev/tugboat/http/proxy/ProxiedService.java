package dev.tugboat.http.proxy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A long-lived service as the proxy needs it: its name, the principal name of its owner (who,
 * beside operators, may open its private ports), its published ports by container port in the
 * order the service declared them (the first is the one {@code /{name}/} reaches), and the
 * replicas that are ready now (empty while none is: the proxy answers 503).
 */
public record ProxiedService(String name, String owner, Map<Integer, PublishedPort> ports, List<Replica> ready) {

  public ProxiedService {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(owner, "owner");
    ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
    ready = List.copyOf(ready);
  }

  /** A container port the service publishes. {@code initialPath} starts with '/'. */
  public record PublishedPort(int port, boolean isPublic, String label, String initialPath) {}

  /**
   * One ready replica: its id, the pod's name (stable for the pod's life; what the API server's
   * pod proxy addresses), and the host to reach its container ports on (the pod IP inside the
   * cluster).
   */
  public record Replica(String id, String host) {}
}
