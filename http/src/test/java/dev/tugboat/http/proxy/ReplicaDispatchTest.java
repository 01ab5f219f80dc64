package dev.tugboat.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Least-in-flight choice with round-robin ties, the refused pause, and the load reports, on a hand-driven clock. */
class ReplicaDispatchTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final ReplicaDispatch dispatch = new ReplicaDispatch(Duration.ofSeconds(5), nanos::get);
  private final ProxiedService service = new ProxiedService("svc", "alice", Map.of(),
      List.of(new ProxiedService.Replica("a", "10.0.0.1"), new ProxiedService.Replica("b", "10.0.0.2"),
          new ProxiedService.Replica("c", "10.0.0.3")));

  @Test
  void idleReplicasTakeTurns() {
    Map<String, Integer> chosen = new HashMap<>();
    for (int i = 0; i < 9; i++) {
      ReplicaDispatch.Lease lease = dispatch.acquire(service).orElseThrow();
      chosen.merge(lease.replica().id(), 1, Integer::sum);
      lease.release();
    }
    assertEquals(Map.of("a", 3, "b", 3, "c", 3), chosen);
  }

  @Test
  void theReplicaWithTheFewestInFlightIsChosen() {
    List<ReplicaDispatch.Lease> held = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      held.add(dispatch.acquire(service).orElseThrow());
    }
    assertEquals(Map.of("a", 2, "b", 2, "c", 2), dispatch.inFlight("svc"));
    held.stream().filter(l -> l.replica().id().equals("b")).findFirst().orElseThrow().release();
    assertEquals("b", dispatch.acquire(service).orElseThrow().replica().id());
  }

  @Test
  void releasingTwiceCountsOnce() {
    ReplicaDispatch.Lease lease = dispatch.acquire(service).orElseThrow();
    dispatch.acquire(service).orElseThrow();
    lease.release();
    lease.release();
    assertEquals(1, dispatch.inFlight("svc").values().stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void aRefusingReplicaSitsOutThePauseThenReturns() {
    dispatch.refused("svc", "a");
    for (int i = 0; i < 6; i++) {
      ReplicaDispatch.Lease lease = dispatch.acquire(service).orElseThrow();
      assertTrue(!lease.replica().id().equals("a"), "a is out of rotation");
      lease.release();
    }
    nanos.addAndGet(Duration.ofSeconds(5).toNanos());
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ReplicaDispatch.Lease lease = dispatch.acquire(service).orElseThrow();
      chosen.add(lease.replica().id());
      lease.release();
    }
    assertTrue(chosen.contains("a"), chosen.toString());
  }

  @Test
  void noReplicaWhenNoneIsReadyOrAllArePaused() {
    assertTrue(dispatch.acquire(new ProxiedService("empty", "alice", Map.of(), List.of())).isEmpty());
    for (String id : List.of("a", "b", "c")) {
      dispatch.refused("svc", id);
    }
    assertTrue(dispatch.acquire(service).isEmpty());
  }

  @Test
  void loadIsReportedWhileThereIsTrafficThenOnceAtZeroThenNotAtAll() {
    List<Map<String, Integer>> reports = new ArrayList<>();
    dispatch.drainReports((name, counts) -> reports.add(counts));
    assertEquals(List.of(), reports, "no traffic, no report");

    ReplicaDispatch.Lease lease = dispatch.acquire(service).orElseThrow();
    dispatch.drainReports((name, counts) -> reports.add(counts));
    assertEquals(List.of(Map.of(lease.replica().id(), 1)), reports);

    lease.release();
    dispatch.drainReports((name, counts) -> reports.add(counts));
    assertEquals(Map.of(lease.replica().id(), 0), reports.get(1), "once more when the traffic fell to none");
    dispatch.drainReports((name, counts) -> reports.add(counts));
    dispatch.drainReports((name, counts) -> reports.add(counts));
    assertEquals(2, reports.size(), "then none");
  }

  @Test
  void turnsSurviveQuietSpells() {
    ReplicaDispatch.Lease first = dispatch.acquire(service).orElseThrow();
    first.release();
    for (int i = 0; i < 5; i++) {
      dispatch.drainReports((name, counts) -> { });
    }
    assertEquals("b", dispatch.acquire(service).orElseThrow().replica().id(), "the turn went on after a pause");
  }

  @Test
  void anIdleServiceIsForgottenAfterItsRounds() {
    dispatch.acquire(service).orElseThrow().release();
    for (int i = 0; i <= ReplicaDispatch.FORGET_AFTER_IDLE_ROUNDS + 1; i++) {
      dispatch.drainReports((name, counts) -> { });
    }
    assertEquals("a", dispatch.acquire(service).orElseThrow().replica().id(), "a forgotten service starts afresh");
  }

  @Test
  void aShortRequestBetweenTwoReportsIsStillReported() {
    List<String> services = new ArrayList<>();
    dispatch.acquire(service).orElseThrow().release();
    dispatch.drainReports((name, counts) -> services.add(name));
    assertEquals(List.of("svc"), services);
  }
}
