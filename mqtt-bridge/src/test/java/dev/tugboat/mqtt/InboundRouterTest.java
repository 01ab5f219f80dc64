package dev.tugboat.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.simulation.SimulationCommand;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InboundRouterTest {
  private static ActorTestKit testKit;

  private SimpleMeterRegistry metrics;
  private TestSupport.ProbeDirectory directory;
  private InboundRouter router;
  private final AtomicInteger acks = new AtomicInteger();

  @BeforeAll
  static void startTestKit() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    metrics = new SimpleMeterRegistry();
    directory = new TestSupport.ProbeDirectory(testKit);
    MqttSettings settings = new MqttSettings("127.0.0.1", 1883, "", "", "DOTS-SO", "router-test", 1, 1000,
        Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMillis(300), 3,
        Duration.ofSeconds(10), "");
    router = new InboundRouter(testKit.system(), directory, settings, metrics);
  }

  private double inbound(String kind, String outcome) {
    return metrics.counter("tugboat.mqtt.inbound", "kind", kind, "outcome", outcome).count();
  }

  /** The router acks before it counts (InboundRouter.replied), so the count may lag the ack a moment. */
  private void awaitInbound(String kind, String outcome) {
    Awaitility.await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> assertEquals(1.0, inbound(kind, outcome)));
  }

  private void awaitAcks(int n) {
    Awaitility.await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> assertEquals(n, acks.get()));
  }

  @Test
  void deployModelsIsRoutedWithExactContentAndAckedOnlyAfterTheReply() {
    byte[] payload = TestSupport.deployModels("204-asd", 2.5, TestSupport.sampleModels()).toByteArray();
    router.route("/lifecycle/dots-so/mso/sim02-abc/DeployModels", payload, acks::incrementAndGet);

    TestProbe<SimulationCommand> sim = directory.simulation$("sim02-abc");
    SimulationCommand.Deploy deploy = sim.expectMessageClass(SimulationCommand.Deploy.class);
    assertEquals("204-asd", deploy.simulatorId());
    assertEquals(2.5, deploy.keepLogsHours());
    assertEquals(TestSupport.sampleModels(), deploy.models());
    assertEquals(0, acks.get(), "acknowledged before the entity replied");

    deploy.replyTo().tell(CommandReply.accepted());
    awaitAcks(1);
    awaitInbound("DeployModels", "accepted");
  }

  @Test
  void readyForProcessingIsRoutedToItsSimulation() {
    router.route("/lifecycle/model/mso/sim02-abc/model-3/ReadyForProcessing", new byte[0], acks::incrementAndGet);
    long routed = System.nanoTime();
    SimulationCommand.ReportModelReady ready =
        directory.simulation$("sim02-abc").expectMessageClass(SimulationCommand.ReportModelReady.class);
    assertEquals("model-3", ready.modelId());
    assertEquals(0, acks.get());
    long answered = System.nanoTime();
    ready.replyTo().tell(CommandReply.accepted());
    awaitAcks(1);
    awaitInbound("ReadyForProcessing", "accepted");
    // The time from arrival to the answer, which the broker's in-flight window waits for.
    Timer latency = metrics.get("tugboat.mqtt.inbound.latency").tag("kind", "ReadyForProcessing").timer();
    assertEquals(1, latency.count());
    // The message arrived before route returned and was answered after `answered`.
    assertTrue(latency.totalTime(TimeUnit.NANOSECONDS) >= answered - routed,
        latency.totalTime(TimeUnit.NANOSECONDS) + " ns < " + (answered - routed) + " ns");
  }

  @Test
  void aRejectionIsCountedAndAcknowledged() {
    router.route("/lifecycle/model/mso/sim-x/unknown-model/ReadyForProcessing", new byte[0], acks::incrementAndGet);
    SimulationCommand.ReportModelReady ready =
        directory.simulation$("sim-x").expectMessageClass(SimulationCommand.ReportModelReady.class);
    ready.replyTo().tell(new CommandReply.Rejected("unknown model unknown-model"));
    awaitAcks(1);
    awaitInbound("ReadyForProcessing", "rejected");
  }

  @Test
  void aRepeatedDeployModelsIsCountedAsADuplicateNotAsAccepted() {
    byte[] payload = TestSupport.deployModels("204-asd", 1, TestSupport.sampleModels()).toByteArray();
    router.route("/lifecycle/dots-so/mso/sim-again/DeployModels", payload, acks::incrementAndGet);
    SimulationCommand.Deploy deploy =
        directory.simulation$("sim-again").expectMessageClass(SimulationCommand.Deploy.class);
    deploy.replyTo().tell(new CommandReply.Duplicate("already deployed"));
    awaitAcks(1);
    awaitInbound("DeployModels", "duplicate");
    assertEquals(0.0, inbound("DeployModels", "accepted"));
  }

  @Test
  void aDifferentDeployModelsForAnExistingSimulationIsCountedAsAConflict() {
    byte[] payload = TestSupport.deployModels("204-asd", 1, TestSupport.sampleModels()).toByteArray();
    router.route("/lifecycle/dots-so/mso/sim-other/DeployModels", payload, acks::incrementAndGet);
    SimulationCommand.Deploy deploy =
        directory.simulation$("sim-other").expectMessageClass(SimulationCommand.Deploy.class);
    deploy.replyTo().tell(new CommandReply.Conflict("simulation already deployed with different content"));
    awaitAcks(1);
    awaitInbound("DeployModels", "conflict");
    assertEquals(0.0, inbound("DeployModels", "rejected"));
    assertEquals(0.0, inbound("DeployModels", "accepted"));
  }

  @Test
  void anUnansweredMessageIsAskedRouteAttemptsTimesThenCountedAndAcknowledged() {
    byte[] payload = TestSupport.deployModels("204-asd", 1, TestSupport.sampleModels()).toByteArray();
    router.route("/lifecycle/dots-so/mso/sim-silent/DeployModels", payload, acks::incrementAndGet);
    TestProbe<SimulationCommand> sim = directory.simulation$("sim-silent");
    for (int i = 0; i < 3; i++) {
      sim.expectMessageClass(SimulationCommand.Deploy.class, Duration.ofSeconds(3));
      if (i < 2) {
        assertEquals(0, acks.get(), "acknowledged before the last attempt");
      }
    }
    awaitAcks(1);
    awaitInbound("DeployModels", "failed");
    assertEquals(2.0, metrics.counter("tugboat.mqtt.inbound.retries", "kind", "DeployModels").count());
    sim.expectNoMessage(Duration.ofMillis(500));
    assertEquals(1, acks.get());
  }

  static Stream<Arguments> droppedMessages() {
    byte[] garbage = HexFormat.of().parseHex("0aff01");
    return Stream.of(
        Arguments.of("/lifecycle/other-so/mso/sim-1/DeployModels",
            TestSupport.deployModels("s", 1, TestSupport.sampleModels()).toByteArray(), "foreign-so"),
        // Topics are case-sensitive; the SO lower-cases its name, so upper case is another SO.
        Arguments.of("/lifecycle/DOTS-SO/mso/sim-1/DeployModels", new byte[0], "foreign-so"),
        Arguments.of("/lifecycle/model/mso//m1/ReadyForProcessing", new byte[0], "malformed-topic"),
        Arguments.of("/lifecycle/dots-so/mso/sim-1/extra/DeployModels", new byte[0], "malformed-topic"),
        Arguments.of("/other/thing", new byte[0], "malformed-topic"),
        Arguments.of("/lifecycle/dots-so/mso/sim-1/DeployModels", garbage, "undecodable"),
        Arguments.of("/lifecycle/model/mso/sim-1/m1/ReadyForProcessing", garbage, "undecodable"),
        Arguments.of("/lifecycle/mso/dots-so/sim-1/ModelsReady", new byte[0], "unexpected-topic"),
        // An empty or field-less payload decodes as a DeployModels of no models: not a deployment.
        Arguments.of("/lifecycle/dots-so/mso/sim-1/DeployModels", new byte[0], "no-models"),
        Arguments.of("/lifecycle/dots-so/mso/sim-1/DeployModels",
            TestSupport.deployModels("s", 1, java.util.List.of()).toByteArray(), "no-models"),
        Arguments.of("/lifecycle/dots-so/mso/sim-1\uD83D\uDE80/DeployModels",
            TestSupport.deployModels("s", 1, TestSupport.sampleModels()).toByteArray(), "invalid-id"),
        Arguments.of("/lifecycle/dots-so/mso/sim-1\u202E/DeployModels",
            TestSupport.deployModels("s", 1, TestSupport.sampleModels()).toByteArray(), "invalid-id"),
        Arguments.of("/lifecycle/model/mso/sim-1/m\u0007/ReadyForProcessing", new byte[0], "invalid-id"),
        Arguments.of("/lifecycle/model/mso/sim-1\uFFFF/m1/ReadyForProcessing", new byte[0], "invalid-id"));
  }

  /** A DeployModels whose keepLogsHours (field 3, a double) was sent as a length-delimited string. */
  static byte[] keepLogsHoursAsAString() {
    byte[] valid = TestSupport.deployModels("s", 0, TestSupport.sampleModels()).toByteArray();
    byte[] wrong = {0x1a, 0x02, '2', '4'};
    byte[] out = java.util.Arrays.copyOf(valid, valid.length + wrong.length);
    System.arraycopy(wrong, 0, out, valid.length, wrong.length);
    return out;
  }

  static Stream<Arguments> refusedMessages() {
    java.util.List<dev.tugboat.protocol.ModelSpec> tooMany = java.util.stream.IntStream.range(0, 10_001)
        .mapToObj(i -> new dev.tugboat.protocol.ModelSpec("m" + i, "img:1", java.util.List.of())).toList();
    return Stream.of(
        Arguments.of(keepLogsHoursAsAString(), "keepLogsHours"),
        Arguments.of(TestSupport.deployModels("s", 1, tooMany).toByteArray(), "10001 models, more than the limit"),
        Arguments.of(new byte[(8 << 20) + 1], "more than the limit of 8388608"));
  }

  @ParameterizedTest
  @MethodSource("refusedMessages")
  void aDeployModelsOverALimitIsRefusedThroughItsEntityWithoutItsModels(byte[] payload, String reasonPart) {
    router.route("/lifecycle/dots-so/mso/sim-big/DeployModels", payload, acks::incrementAndGet);
    SimulationCommand.RefuseDeploy refuse =
        directory.simulation$("sim-big").expectMessageClass(SimulationCommand.RefuseDeploy.class);
    assertTrue(refuse.reason().contains(reasonPart), refuse.reason());
    assertEquals(0, acks.get(), "acknowledged before the entity replied");
    refuse.replyTo().tell(new CommandReply.Rejected(refuse.reason()));
    awaitAcks(1);
    awaitInbound("DeployModels", "rejected");
    assertEquals(1.0, metrics.counter("tugboat.mqtt.inbound.refused").count());
  }

  @ParameterizedTest
  @MethodSource("droppedMessages")
  void badMessagesAreDroppedCountedAndAcknowledgedWithoutRouting(String topic, byte[] payload, String reason) {
    router.route(topic, payload, acks::incrementAndGet);
    assertEquals(1, acks.get());
    assertEquals(1.0, metrics.counter("tugboat.mqtt.inbound.dropped", "reason", reason).count());
    assertEquals(0, directory.addressed(), "a dropped message reached an entity");

    // The next good message still routes.
    router.route("/lifecycle/model/mso/sim-2/m1/ReadyForProcessing", new byte[0], acks::incrementAndGet);
    SimulationCommand.ReportModelReady ready =
        directory.simulation$("sim-2").expectMessageClass(SimulationCommand.ReportModelReady.class);
    ready.replyTo().tell(CommandReply.accepted());
    awaitAcks(2);
    assertTrue(directory.wasAddressed("sim-2"));
  }
}
