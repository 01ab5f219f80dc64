package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.k8s.sim.ApiServerAccess;
import dev.tugboat.k8s.sim.ApiServerCounters;
import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The start-up warm-up run by the gateway, through the dots-env client, against a simulated API
 * server that speaks https and wants a bearer token: every dry-run create answered as the
 * gateway's own {@code warm-up} calls, held to its rate limit, no pod stored, nothing counted as
 * a create; with a client without the token every call is refused and the warm-up ends after
 * one round; the timeout ends a warm-up the rate limit holds back.
 */
class KubernetesWarmUpIT {
  private static final String NS = "dots";
  private static final String TOKEN = "warm-up-test-token";

  private static SimulatedKubernetes kube;
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create();
    kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults(NS), ApiServerAccess.httpsWithToken(TOKEN));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    kube.close();
  }

  private static KubernetesSettings settings() {
    return KubernetesSettings.fromConfig(ConfigFactory.parseString(
            "tugboat.kubernetes { mode = dots-env, host = \"127.0.0.1\", port = " + kube.port()
                + ", api-token = \"" + TOKEN + "\", namespace = " + NS + ", max-concurrent-calls = 4 }")
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }

  /** Starts a gateway with the warm-up, waits for the warm-up to end and stops the gateway; returns the calls answered. */
  private static int warmUpThroughGateway(KubernetesSettings settings, KubernetesClient client,
      SimpleMeterRegistry registry, KubernetesWarmUp warmUp) throws Exception {
    assertTrue(warmUp.problem().isPresent(), "not over before the gateway ran it");
    ActorRef<KubernetesCommand> gateway = testKit.spawn(KubernetesGateway.create(settings, client,
        new ProbeDirectory(testKit), registry, null, new PodInformerStatus(), warmUp));
    try {
      int answered = warmUp.done().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(warmUp.problem().isEmpty());
      return answered;
    } finally {
      testKit.stop(gateway);
    }
  }

  private static double warmUpCalls(SimpleMeterRegistry registry, String outcome) {
    var counter = registry.find("tugboat.k8s.calls").tags("kind", "warm-up", "outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void dryRunCreatesGoThroughTheGatewayOverHttpsWithTheTokenAndStoreNothing() throws Exception {
    assertTrue(kube.url().startsWith("https://"), kube.url());
    KubernetesSettings settings = settings();
    try (KubernetesClient client = KubernetesClients.create(settings)) {
      int creates = kube.counters().requests(ApiServerCounters.Kind.CREATE);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      assertEquals(8, warmUpThroughGateway(settings, client, registry, new KubernetesWarmUp(2, Duration.ofSeconds(30))));
      assertEquals(8, warmUpCalls(registry, "ok"));
      assertEquals(0, warmUpCalls(registry, "failed"));
      assertEquals(0, kube.storedPods());
      assertEquals(creates, kube.counters().requests(ApiServerCounters.Kind.CREATE));
      assertTrue(client.pods().inNamespace(NS).list().getItems().isEmpty());
    }
  }

  @Test
  void warmUpCallsAreHeldToTheGatewaysRateLimit() throws Exception {
    // 10 calls a second, none saved up: 8 calls cannot all start within 0.7 s.
    KubernetesSettings settings = settings().withLimits(4, 10, 1);
    try (KubernetesClient client = KubernetesClients.create(settings)) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      long t = System.nanoTime();
      assertEquals(8, warmUpThroughGateway(settings, client, registry, new KubernetesWarmUp(2, Duration.ofSeconds(30))));
      long ms = (System.nanoTime() - t) / 1_000_000;
      assertTrue(ms >= 600, "8 warm-up calls at 10 a second took only " + ms + " ms");
      assertEquals(0, kube.storedPods());
    }
  }

  @Test
  void theTimeoutEndsAWarmUpTheRateLimitHoldsBack() throws Exception {
    // One call a second: the first round cannot finish within the timeout.
    KubernetesSettings settings = settings().withLimits(4, 1, 1);
    try (KubernetesClient client = KubernetesClients.create(settings)) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      long t = System.nanoTime();
      int answered = warmUpThroughGateway(settings, client, registry, new KubernetesWarmUp(3, Duration.ofMillis(300)));
      long ms = (System.nanoTime() - t) / 1_000_000;
      assertTrue(answered < 4, answered + " calls answered");
      assertTrue(ms < 3_000, "the warm-up ended only after " + ms + " ms");
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
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      assertEquals(0, warmUpThroughGateway(settings(), client, registry, new KubernetesWarmUp(3, Duration.ofSeconds(30))));
      assertEquals(4, warmUpCalls(registry, "failed"), "one round of max-concurrent-calls, then it gave up");
      assertEquals(0, warmUpCalls(registry, "ok"));
    }
  }
}
