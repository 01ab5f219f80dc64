package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.service.ServiceCommand;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many creates through the gateway against the simulated API server: throughput and one create per pod. */
class GatewayThroughputIT {
  private static final int PODS = 1000;
  private static ActorTestKit testKit;
  private static SimulatedKubernetes kube;

  @BeforeAll
  static void startAll() {
    testKit = ActorTestKit.create();
    kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults("dots")
        .withPendingDelay(Duration.ofMillis(10)).withModelRunTime(Duration.ofMinutes(10)));
  }

  @AfterAll
  static void stopAll() {
    testKit.shutdownTestKit();
    kube.close();
  }

  @Test
  void createsAThousandPodsQuicklyAndSeesThemRun() {
    ProbeDirectory directory = new ProbeDirectory(testKit);
    KubernetesSettings settings = KubernetesGatewayIT.baseSettings("throughput");
    ActorRef<KubernetesCommand> gateway = testKit.spawn(
        KubernetesGateway.create(settings, kube.client(), directory, new SimpleMeterRegistry()));
    TestProbe<PodCallResult> replies = testKit.createTestProbe();
    String jfr = System.getProperty("tugboat.jfr");
    jdk.jfr.Recording rec = null;
    if (jfr != null) {
      try {
        rec = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        rec.setDestination(java.nio.file.Path.of(jfr));
        rec.start();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < PODS; i++) {
      String pod = PodNames.podName("so", "tp", "m" + i);
      gateway.tell(new KubernetesCommand.CreatePod(
          new ServiceSpec("so", "tp", "m" + i, "busybox", List.of(), 1.0, pod), replies.ref()));
    }
    for (int i = 0; i < PODS; i++) {
      assertInstanceOf(PodCallResult.Succeeded.class, replies.receiveMessage(Duration.ofSeconds(30)));
    }
    double perSecond = PODS / ((System.nanoTime() - t0) / 1e9);
    Set<String> running = new HashSet<>();
    directory.services.fishForMessage(Duration.ofSeconds(30), "every pod running", m -> {
      if (m instanceof ServiceCommand.PodObserved o
          && o.pod().container() == dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState.RUNNING) {
        running.add(o.pod().podName());
      }
      return running.size() == PODS ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
          : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore();
    });
    if (rec != null) {
      rec.stop();
      rec.close();
    }
    System.out.printf("gateway throughput: %d creates at %.0f/s%n", PODS, perSecond);
    assertEquals(PODS, kube.counters().createsByPod().size());
    assertTrue(kube.counters().createsByPod().values().stream().allMatch(n -> n == 1));
    assertTrue(perSecond > 20, "creates per second: " + perSecond);
    testKit.stop(gateway);
  }
}
