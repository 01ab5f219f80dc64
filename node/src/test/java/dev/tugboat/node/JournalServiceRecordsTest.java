package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.http.ServiceRecords.LogTail;
import dev.tugboat.persistence.ServiceHistories.StoredLog;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodLogResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Where a log tail comes from: the gateway only while the journal says the pod may exist, else the stored tail. */
class JournalServiceRecordsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final List<String> STORED = List.of("s1", "s2", "s3");

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    // A local actor system, not the node's application.conf (a cluster member).
    testKit = ActorTestKit.create("JournalServiceRecordsTest", ConfigFactory.parseString("pekko.loglevel = WARNING"));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aDeletedPodIsNotAskedForItsTheStoredTailCut() throws Exception {
    TestProbe<KubernetesCommand> gateway = testKit.createTestProbe(KubernetesCommand.class);
    LogTail tail = get(tail(new StoredLog("pod-a", false, STORED), 2, gateway));
    assertEquals(LogTail.stored("pod-a", "the pod does not exist", List.of("s2", "s3")), tail);
    gateway.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aServiceWithoutAPodHasNone() throws Exception {
    TestProbe<KubernetesCommand> gateway = testKit.createTestProbe(KubernetesCommand.class);
    assertEquals(LogTail.stored(null, "the service has no pod", List.of()),
        get(tail(new StoredLog(null, false, List.of()), 5, gateway)));
  }

  @Test
  void anExistingPodIsReadThroughTheGatewayWithTheTailAskedFor() throws Exception {
    TestProbe<KubernetesCommand> gateway = testKit.createTestProbe(KubernetesCommand.class);
    CompletionStage<LogTail> tail = tail(new StoredLog("pod-a", true, List.of()), 2, gateway);
    KubernetesCommand.ReadPodLog read = gateway.expectMessageClass(KubernetesCommand.ReadPodLog.class);
    assertEquals("pod-a", read.podName());
    assertEquals(2, read.tailLines());
    read.replyTo().tell(new PodLogResult.Lines("pod-a", List.of("l1", "l2", "l3")));
    assertEquals(LogTail.fromPod("pod-a", List.of("l2", "l3")), get(tail));
  }

  @Test
  void aPodWhoseLogIsUnavailableFallsBackToTheStoredTailSayingWhy() throws Exception {
    TestProbe<KubernetesCommand> gateway = testKit.createTestProbe(KubernetesCommand.class);
    CompletionStage<LogTail> tail = tail(new StoredLog("pod-a", true, STORED), 10, gateway);
    gateway.expectMessageClass(KubernetesCommand.ReadPodLog.class).replyTo()
        .tell(new PodLogResult.Unavailable("pod-a", "HTTP 404: pods \"pod-a\" not found"));
    assertEquals(LogTail.stored("pod-a", "pod log unavailable: HTTP 404: pods \"pod-a\" not found", STORED), get(tail));
  }

  private static CompletionStage<LogTail> tail(StoredLog stored, int lines, TestProbe<KubernetesCommand> gateway) {
    return JournalServiceRecords.tail(stored, lines, gateway.ref(), TIMEOUT, testKit.system().scheduler());
  }

  private static LogTail get(CompletionStage<LogTail> tail) throws Exception {
    return tail.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
