package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tugboat.http.proxy.ProxyVia;
import dev.tugboat.http.proxy.ReplicaTransport;
import dev.tugboat.k8s.ApiServerConnection;
import dev.tugboat.k8s.KubernetesSettings.Mode;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ReplicaTransportsTest {

  private static final Supplier<ApiServerConnection> API_SERVER = () -> {
    try {
      return new ApiServerConnection(URI.create("https://api.example:6443"), "dots", SSLContext.getDefault(), true,
          () -> Optional.of("t"), true);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  };

  @ParameterizedTest(name = "{0} {1} in-cluster env {2}: {3}")
  @CsvSource(delimiter = '|', value = {
      "auto       | IN_CLUSTER | false | pod",
      "auto       | KUBECONFIG | true  | pod",
      "auto       | DOTS_ENV   | true  | pod",
      "auto       | KUBECONFIG | false | api",
      "auto       | DOTS_ENV   | false | api",
      "auto       | SIMULATED  | false | pod",
      "pod-ip     | KUBECONFIG | false | pod",
      "api-server | IN_CLUSTER | true  | api",
      "api-server | SIMULATED  | false | api",
  })
  void theOperatorsChoiceAndWhereTugboatRuns(String via, Mode mode, boolean serviceHostSet, String expected) {
    Map<String, String> env = serviceHostSet ? Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1") : Map.of();
    ReplicaTransport t = ReplicaTransports.choose(ProxyVia.parse(via), mode, env, API_SERVER);
    if (expected.equals("pod")) {
      assertEquals(ReplicaTransport.podNetwork(), t);
    } else {
      ReplicaTransport.ApiServer a = assertInstanceOf(ReplicaTransport.ApiServer.class, t);
      assertEquals(URI.create("https://api.example:6443"), a.server());
      assertEquals("dots", a.namespace());
    }
  }

  @Test
  void theApiServerIsOnlyAskedForWhenChosen() {
    ReplicaTransports.choose(ProxyVia.POD_IP, Mode.KUBECONFIG, Map.of(), () -> {
      throw new AssertionError("asked for the API server");
    });
  }

  @Test
  void anUnknownChoiceNamesTheVariable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyVia.parse("pod"));
    assertEquals("tugboat.http.proxy.via (TUGBOAT_PROXY_VIA) must be one of auto, pod-ip, api-server; got 'pod'",
        e.getMessage());
  }
}
