package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.k8s.sim.ApiServerAccess;
import dev.tugboat.k8s.sim.ApiServerCounters;
import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The start-up warm-up's dry-run creates, through the dots-env client, against a simulated API
 * server that speaks https and wants a bearer token: every call answered, no pod stored, nothing
 * counted as a create; a client without the token is refused.
 */
class KubernetesWarmUpIT {
  private static final String NS = "dots";
  private static final String TOKEN = "warm-up-test-token";

  private static SimulatedKubernetes kube;

  @BeforeAll
  static void start() {
    kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults(NS), ApiServerAccess.httpsWithToken(TOKEN));
  }

  @AfterAll
  static void stop() {
    kube.close();
  }

  private static KubernetesSettings settings(String token) {
    return KubernetesSettings.fromConfig(ConfigFactory.parseString(
            "tugboat.kubernetes { mode = dots-env, host = \"127.0.0.1\", port = " + kube.port()
                + ", api-token = \"" + token + "\", namespace = " + NS + ", max-concurrent-calls = 4 }")
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void dryRunCreatesAreAnsweredOverHttpsWithTheTokenAndStoreNothing() throws Exception {
    assertTrue(kube.url().startsWith("https://"), kube.url());
    try (KubernetesClient client = KubernetesClients.create(settings(TOKEN))) {
      int creates = kube.counters().requests(ApiServerCounters.Kind.CREATE);
      assertEquals(8, KubernetesWarmUp.run(settings(TOKEN), client, 2, Duration.ofSeconds(90)));
      assertEquals(0, kube.storedPods());
      assertEquals(creates, kube.counters().requests(ApiServerCounters.Kind.CREATE));
      assertTrue(client.pods().inNamespace(NS).list().getItems().isEmpty());
    }
  }

  @Test
  void aClientWithoutTheTokenIsRefusedAndTheWarmUpEndsAfterOneRound() throws Exception {
    Config noToken = new ConfigBuilder(Config.empty()).withMasterUrl(kube.url()).withTrustCerts(true)
        .withNamespace(NS).withRequestRetryBackoffLimit(0).build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(noToken).build()) {
      KubernetesClientException e = assertThrows(KubernetesClientException.class,
          () -> client.pods().inNamespace(NS).list());
      assertEquals(401, e.getCode());
      assertEquals(0, KubernetesWarmUp.run(settings(TOKEN), client, 3, Duration.ofSeconds(90)));
    }
  }
}
