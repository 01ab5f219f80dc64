package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.http.Readiness.Check;
import dev.tugboat.http.ReadinessBody;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeReadinessTest {

  private static final Duration TIMEOUT = Duration.ofMillis(100);

  private static List<Check> run(NodeReadiness.Probe... probes) throws Exception {
    return new NodeReadiness(List.of(probes), TIMEOUT).check().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void everyCheckPassingIsUpAndListsEachCheck() throws Exception {
    List<Check> checks = run(NodeReadiness.Probe.immediate("cluster", Optional::empty),
        new NodeReadiness.Probe("journal", () -> CompletableFuture.completedFuture(null)));
    assertEquals(List.of(Check.passed("cluster"), Check.passed("journal")), checks);
    ReadinessBody body = ReadinessBody.of(checks);
    assertTrue(body.up());
    assertEquals("UP", body.status());
    assertEquals(2, body.checks().size());
  }

  @Test
  void oneFailingCheckIsDownWithItsReason() throws Exception {
    List<Check> checks = run(NodeReadiness.Probe.immediate("cluster", Optional::empty),
        NodeReadiness.Probe.immediate("kubernetes", () -> Optional.of("the pod informer has not synced yet")));
    assertEquals(List.of(Check.passed("cluster"), Check.failed("kubernetes", "the pod informer has not synced yet")),
        checks);
    assertFalse(ReadinessBody.of(checks).up());
  }

  @Test
  void aFailedStageCountsAsFailingWithItsMessage() throws Exception {
    List<Check> checks = run(new NodeReadiness.Probe("journal",
        () -> CompletableFuture.failedFuture(new IllegalStateException("Connection refused"))));
    assertEquals(List.of(Check.failed("journal", "Connection refused")), checks);
  }

  @Test
  void aProbeThatThrowsCountsAsFailingWithItsMessage() throws Exception {
    List<Check> checks = run(new NodeReadiness.Probe("journal", () -> {
      throw new IllegalStateException("pool closed");
    }), NodeReadiness.Probe.immediate("mqtt", Optional::empty));
    assertEquals(List.of(Check.failed("journal", "pool closed"), Check.passed("mqtt")), checks);
  }

  @Test
  void aProbeThatDoesNotAnswerInTimeFailsAndTheOthersStillCount() throws Exception {
    CompletableFuture<Void> never = new CompletableFuture<>();
    List<Check> checks = run(new NodeReadiness.Probe("journal", () -> never),
        NodeReadiness.Probe.immediate("mqtt", Optional::empty));
    assertEquals(List.of(Check.failed("journal", "no answer within 100 ms"), Check.passed("mqtt")), checks);
    assertFalse(never.isDone(), "the timeout must not complete the probe's own future");
  }

  @Test
  void noChecksIsNotReady() {
    assertFalse(ReadinessBody.of(List.of()).up());
  }
}
