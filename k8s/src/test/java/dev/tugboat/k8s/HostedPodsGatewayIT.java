package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.protocol.hosted.Access;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.hosted.HostedPod;
import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.PublishedPort;
import dev.tugboat.protocol.hosted.Replicas;
import dev.tugboat.protocol.kubernetes.HostedPods;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hosted service's replica pod through the gateway against the simulated Kubernetes: created
 * (twice: the second answered as the existing pod), seen by the informer with its echo server's
 * address, listed from the cache, and gone after its delete.
 */
class HostedPodsGatewayIT {
  private static ActorTestKit testKit;
  private static SimulatedKubernetes kube;

  @BeforeAll
  static void startAll() {
    testKit = ActorTestKit.create();
    kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults("dots").withPendingDelay(Duration.ofMillis(50)));
  }

  @AfterAll
  static void stopAll() {
    testKit.shutdownTestKit();
    kube.close();
  }

  private static HostedPod await(ProbeDirectory directory, boolean gone) {
    List<HostedPod> seen = new ArrayList<>();
    directory.hosted.fishForMessage(Duration.ofSeconds(10), gone ? "gone" : "ready", m -> {
      if (gone ? m instanceof HostedCommand.PodGone : m instanceof HostedCommand.PodObserved o && o.pod().ready()) {
        seen.add(m instanceof HostedCommand.PodGone g ? g.lastKnown() : ((HostedCommand.PodObserved) m).pod());
        return FishingOutcomes.complete();
      }
      return FishingOutcomes.continueAndIgnore();
    });
    return seen.get(0);
  }

  @Test
  void aReplicaPodIsCreatedOnceSeenReadyWithItsAddressListedAndDeleted() throws Exception {
    ProbeDirectory directory = new ProbeDirectory(testKit);
    KubernetesSettings settings = KubernetesGatewayIT.baseSettings("hosted-it");
    ActorRef<KubernetesCommand> gateway = testKit.spawn(KubernetesGateway.create(settings, kube.client(), directory,
        new SimpleMeterRegistry()));
    HostedSpec spec = new HostedSpec("echo", "tugboat/echo-service:1", List.of(), List.of(), null,
        List.of(new PublishedPort(18080, Access.PUBLIC, "", "/")), new Replicas(1, 1), Duration.ofMinutes(1), "tests");
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreateHostedPod(spec, 0, 4, reply.ref()));
    assertInstanceOf(PodCallResult.Succeeded.class, reply.receiveMessage(Duration.ofSeconds(10)));
    gateway.tell(new KubernetesCommand.CreateHostedPod(spec, 0, 4, reply.ref()));
    PodCallResult again = reply.receiveMessage(Duration.ofSeconds(10));
    assertInstanceOf(PodCallResult.Succeeded.class, again, "the same replica's pod counts as created");

    HostedPod ready = await(directory, false);
    assertEquals("hs-echo-0-g4", ready.podName());
    assertTrue(ready.podIp().startsWith("127.77."), ready.podIp());
    HttpResponse<String> echo = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://" + ready.podIp() + ":18080/x")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, echo.statusCode());
    assertTrue(echo.body().contains("\"pod\":\"hs-echo-0-g4\""), echo.body());

    TestProbe<HostedPods> listed = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.ListHostedPods("echo", listed.ref()));
    HostedPods pods = listed.receiveMessage(Duration.ofSeconds(3));
    assertTrue(pods.synced());
    assertEquals(List.of("hs-echo-0-g4"), pods.pods().stream().map(HostedPod::podName).toList());
    gateway.tell(new KubernetesCommand.ListHostedPods("other", listed.ref()));
    assertEquals(List.of(), listed.receiveMessage(Duration.ofSeconds(3)).pods());

    gateway.tell(new KubernetesCommand.DeletePod("hs-echo-0-g4", reply.ref()));
    assertInstanceOf(PodCallResult.Succeeded.class, reply.receiveMessage(Duration.ofSeconds(10)));
    assertEquals("hs-echo-0-g4", await(directory, true).podName());
    directory.services.expectNoMessage(Duration.ofMillis(100));
    testKit.stop(gateway);
  }
}
