package dev.tugboat.k8s.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The server-side bounds (in-flight peak, requests in any one second) and the count of write requests. */
class ApiServerCountersTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final ApiServerCounters counters = new ApiServerCounters(nanos::get);

  private void advanceMillis(long ms) {
    nanos.addAndGet(ms * 1_000_000L);
  }

  @Test
  void aRequestIsInFlightFromArrivalUntilItsAnswerIsComputedPlusTheLatency() {
    counters.arrive(ApiServerCounters.Kind.CREATE);
    counters.arrive(ApiServerCounters.Kind.CREATE);
    assertEquals(2, counters.maxConcurrentRequests());
    counters.answered(Duration.ofMillis(100));
    counters.answered(Duration.ZERO);
    advanceMillis(50);
    // One answer still held back by its latency, plus the new one.
    counters.arrive(ApiServerCounters.Kind.CREATE);
    assertEquals(2, counters.maxConcurrentRequests());
    counters.answered(Duration.ZERO);
    advanceMillis(50);
    // The held answer is out now: only the new request is in flight.
    counters.arrive(ApiServerCounters.Kind.CREATE);
    counters.answered(Duration.ZERO);
    assertEquals(2, counters.maxConcurrentRequests());
  }

  @Test
  void thePeakCountsRequestsThatOverlap() {
    for (int i = 0; i < 5; i++) {
      counters.arrive(ApiServerCounters.Kind.CREATE);
    }
    for (int i = 0; i < 5; i++) {
      counters.answered(Duration.ZERO);
    }
    counters.arrive(ApiServerCounters.Kind.CREATE);
    counters.answered(Duration.ZERO);
    assertEquals(5, counters.maxConcurrentRequests());
  }

  @Test
  void theBusiestSecondIsASlidingWindow() {
    // 10 requests 100 ms apart: every second (sliding) holds exactly 10.
    for (int i = 0; i < 10; i++) {
      counters.arrive(ApiServerCounters.Kind.CREATE);
      counters.answered(Duration.ZERO);
      advanceMillis(100);
    }
    assertEquals(10, counters.maxRequestsInOneSecond());
    // 5 more in the last 500 ms of a second that already holds 5 of the first ten: 10, not 15.
    nanos.addAndGet(-100_000_000L);
    for (int i = 0; i < 5; i++) {
      advanceMillis(100);
      counters.arrive(ApiServerCounters.Kind.CREATE);
      counters.answered(Duration.ZERO);
    }
    assertEquals(10, counters.maxRequestsInOneSecond());
    // A burst of 11 within 1 ms.
    advanceMillis(2000);
    for (int i = 0; i < 11; i++) {
      counters.arrive(ApiServerCounters.Kind.CREATE);
      counters.answered(Duration.ZERO);
    }
    assertEquals(11, counters.maxRequestsInOneSecond());
  }

  @Test
  void theBusiestSecondOfOneKindCountsOnlyThatKind() {
    // 6 deletes and 6 creates interleaved within 600 ms: 12 in the busiest second, 6 of each kind.
    for (int i = 0; i < 6; i++) {
      counters.arrive(ApiServerCounters.Kind.DELETE);
      counters.answered(Duration.ZERO);
      counters.arrive(ApiServerCounters.Kind.CREATE);
      counters.answered(Duration.ZERO);
      advanceMillis(100);
    }
    assertEquals(12, counters.maxRequestsInOneSecond());
    assertEquals(6, counters.maxRequestsInOneSecond(ApiServerCounters.Kind.DELETE));
    assertEquals(6, counters.maxRequestsInOneSecond(ApiServerCounters.Kind.CREATE));
    assertEquals(0, counters.maxRequestsInOneSecond(ApiServerCounters.Kind.LOG));
    // Deletes a second apart never share a window.
    advanceMillis(1000);
    for (int i = 0; i < 3; i++) {
      counters.arrive(ApiServerCounters.Kind.DELETE);
      counters.answered(Duration.ZERO);
      advanceMillis(1000);
    }
    assertEquals(6, counters.maxRequestsInOneSecond(ApiServerCounters.Kind.DELETE));
    counters.reset();
    assertEquals(0, counters.maxRequestsInOneSecond(ApiServerCounters.Kind.DELETE));
  }

  @Test
  void resetForgetsThePeaks() {
    counters.arrive(ApiServerCounters.Kind.CREATE);
    counters.arrive(ApiServerCounters.Kind.CREATE);
    counters.answered(Duration.ZERO);
    counters.answered(Duration.ZERO);
    counters.reset();
    assertEquals(0, counters.maxConcurrentRequests());
    assertEquals(0, counters.maxRequestsInOneSecond());
  }

  @Test
  void writesAreEveryPostPutPatchAndDeleteOfAClientButNotReadsListsOrWatches() {
    try (SimulatedKubernetes kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults("dots")
        .withPendingDelay(Duration.ofMinutes(5)))) {
      KubernetesClient client = kube.client();
      Pod pod = new PodBuilder().withNewMetadata().withName("w0").withNamespace("dots").endMetadata()
          .withNewSpec().addNewContainer().withName("model").withImage("busybox").endContainer().endSpec().build();
      client.pods().inNamespace("dots").resource(pod).create();
      client.pods().inNamespace("dots").withName("w0").get();
      client.pods().inNamespace("dots").list();
      // A merge PATCH (the client GETs first) that names no resourceVersion, so the simulated kubelet's own
      // changes to the pod cannot make it conflict.
      client.pods().inNamespace("dots").withName("w0")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
      client.pods().inNamespace("dots").withName("w0").delete();
      kube.faults().errorRate(1.0);
      Pod other = new PodBuilder(pod).editMetadata().withName("w1").endMetadata().build();
      // Refused with an injected 500: still a write the server had to take.
      assertThrows(KubernetesClientException.class, () -> client.pods().inNamespace("dots").resource(other).create());

      ApiServerCounters c = kube.counters();
      assertEquals(2, c.requests(ApiServerCounters.Kind.CREATE));
      assertEquals(1, c.requests(ApiServerCounters.Kind.UPDATE));
      assertEquals(1, c.requests(ApiServerCounters.Kind.DELETE));
      assertEquals(2, c.requests(ApiServerCounters.Kind.GET));
      assertEquals(4, c.writeRequests());
      assertEquals(1, c.injectedFaults(500));
    }
  }
}
