package dev.tugboat.node;

import dev.tugboat.http.proxy.ProxyVia;
import dev.tugboat.http.proxy.ReplicaTransport;
import dev.tugboat.k8s.ApiServerConnection;
import dev.tugboat.k8s.KubernetesSettings;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns the operator's {@link ProxyVia} into the proxy's {@link ReplicaTransport}. {@code auto}
 * takes the pod network inside a cluster (in-cluster mode, or KUBERNETES_SERVICE_HOST set, as in
 * every pod) and with the simulated Kubernetes (its pods' IPs are loopback addresses this host
 * reaches), and the API server's pod proxy otherwise. The API server is reached as the node's
 * Kubernetes client reaches it ({@link ApiServerConnection}).
 */
final class ReplicaTransports {

  private ReplicaTransports() {}

  /** The transport for {@code via}; {@code apiServer} is only asked when the API server is chosen. */
  static ReplicaTransport choose(ProxyVia via, KubernetesSettings.Mode mode, Map<String, String> environment,
      Supplier<ApiServerConnection> apiServer) {
    boolean podNetwork = switch (via) {
      case POD_IP -> true;
      case API_SERVER -> false;
      case AUTO -> mode == KubernetesSettings.Mode.SIMULATED || mode == KubernetesSettings.Mode.IN_CLUSTER
          || !environment.getOrDefault("KUBERNETES_SERVICE_HOST", "").isBlank();
    };
    return podNetwork ? ReplicaTransport.podNetwork() : of(apiServer.get());
  }

  /** The API server's pod proxy, reached as {@code c} says. */
  static ReplicaTransport of(ApiServerConnection c) {
    return new ReplicaTransport.ApiServer(c.server(), c.namespace(), c.sslContext(), c.verifyHostname(),
        c.bearerToken(), c.tokenRequired());
  }
}
