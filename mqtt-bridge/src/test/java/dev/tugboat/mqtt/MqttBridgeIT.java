package dev.tugboat.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.mqtt.sim.EmbeddedBroker;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.topics.Topic;
import dev.tugboat.protocol.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The bridge against a real (embedded HiveMQ CE) broker, with TestProbes for the entities. */
class MqttBridgeIT {
  private static final Duration ROUTED = Duration.ofSeconds(10);
  private static ActorTestKit testKit;
  private static EmbeddedBroker broker;

  private TestSupport.ProbeDirectory directory;
  private SimpleMeterRegistry metrics;
  private MqttBridge bridge;
  private TestMqttClient so;
  private String clientId;

  @BeforeAll
  static void startBroker() throws Exception {
    testKit = ActorTestKit.create();
    broker = EmbeddedBroker.start("127.0.0.1", 0, Files.createTempDirectory("tugboat-broker"));
  }

  @AfterAll
  static void stopBroker() {
    testKit.shutdownTestKit();
    broker.close();
  }

  @BeforeEach
  void startBridge(TestInfo info) throws Exception {
    directory = new TestSupport.ProbeDirectory(testKit);
    metrics = new SimpleMeterRegistry();
    clientId = "tugboat-it-" + info.getTestMethod().orElseThrow().getName();
    bridge = startConnectedBridge();
    so = new TestMqttClient(broker.port(), clientId + "-so");
  }

  @AfterEach
  void stopBridge() throws Exception {
    bridge.close();
    so.close();
  }

  private MqttBridge startConnectedBridge() {
    MqttBridge b = MqttBridge.start(testKit.system(), TestSupport.settings(broker.port(), clientId), directory, metrics);
    Awaitility.await().atMost(15, TimeUnit.SECONDS).until(b::isConnected);
    return b;
  }

  private static String deployTopic(String simulationId) {
    return new Topic.DeployModels(TestSupport.SO, simulationId).format();
  }

  @Test
  void deployModelsWithEnvVarsIsRoutedWithExactContent() throws Exception {
    so.publish(deployTopic("sim02-abc"),
        TestSupport.deployModels("204-asd", 0.5, TestSupport.sampleModels()).toByteArray());
    SimulationCommand.Deploy deploy =
        directory.simulation$("sim02-abc").expectMessageClass(SimulationCommand.Deploy.class, ROUTED);
    assertEquals("204-asd", deploy.simulatorId());
    assertEquals(0.5, deploy.keepLogsHours());
    assertEquals(TestSupport.sampleModels(), deploy.models());
    deploy.replyTo().tell(CommandReply.accepted());
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() ->
        metrics.counter("tugboat.mqtt.inbound", "kind", "DeployModels", "outcome", "accepted").count() == 1.0);
  }

  @Test
  void readyForProcessingIsRouted() throws Exception {
    so.publish(new Topic.ReadyForProcessing("sim02-abc", "2").format(),
        Lifecycle.ReadyForProcessing.getDefaultInstance().toByteArray());
    SimulationCommand.ReportModelReady ready =
        directory.simulation$("sim02-abc").expectMessageClass(SimulationCommand.ReportModelReady.class, ROUTED);
    assertEquals("2", ready.modelId());
    // Received and unanswered: in flight (the broker's window counts it) until the entity answers.
    assertEquals(1.0, metrics.get("tugboat.mqtt.inbound.in-flight").gauge().value());
    ready.replyTo().tell(CommandReply.accepted());
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() ->
        metrics.get("tugboat.mqtt.inbound.in-flight").gauge().value() == 0.0);
  }

  @Test
  void aMessageIsAcknowledgedOnlyAfterTheEntityReplied() throws Exception {
    byte[] payload = TestSupport.deployModels("204-asd", 1, TestSupport.sampleModels()).toByteArray();
    so.publish(deployTopic("sim-redelivered"), payload);
    TestProbe<SimulationCommand> sim = directory.simulation$("sim-redelivered");
    SimulationCommand.Deploy first = sim.expectMessageClass(SimulationCommand.Deploy.class, ROUTED);

    // No reply yet: the broker still holds the message for this session and redelivers it.
    bridge.close();
    first.replyTo().tell(CommandReply.accepted()); // too late: that bridge is gone and must not ack
    bridge = startConnectedBridge();
    SimulationCommand.Deploy again = sim.expectMessageClass(SimulationCommand.Deploy.class, ROUTED);
    assertEquals(first.models(), again.models());
    assertEquals(first.simulatorId(), again.simulatorId());

    again.replyTo().tell(CommandReply.accepted());
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() ->
        metrics.counter("tugboat.mqtt.inbound", "kind", "DeployModels", "outcome", "accepted").count() >= 1.0);
    bridge.close();
    bridge = startConnectedBridge();
    sim.expectNoMessage(Duration.ofSeconds(2));
  }

  private static MqttSettings shared(String clientId) {
    MqttSettings s = TestSupport.settings(broker.port(), clientId);
    return new MqttSettings(s.host(), s.port(), s.username(), s.password(), s.simulatorName(), s.clientId(), s.qos(),
        s.maxInflight(), s.keepAlive(), s.connectTimeout(), s.reconnectMaxDelay(), s.routeTimeout(), s.routeAttempts(),
        s.publishTimeout(), "it-shared");
  }

  /** The next message, or null when none arrives in time (the probe itself fails on a timeout). */
  private static SimulationCommand poll(TestProbe<SimulationCommand> probe, Duration wait) {
    try {
      return probe.receiveMessage(wait);
    } catch (AssertionError noMessage) {
      return null;
    }
  }

  @Test
  void aSharedSubscriptionHandsEachMessageToOneNodeAndToAnotherIfThatOneLeavesWithoutAcking() throws Exception {
    bridge.close();
    bridge = MqttBridge.start(testKit.system(), shared(clientId), directory, metrics);
    Awaitility.await().atMost(15, TimeUnit.SECONDS).until(bridge::isConnected);
    TestSupport.ProbeDirectory otherDirectory = new TestSupport.ProbeDirectory(testKit);
    MqttBridge other = MqttBridge.start(testKit.system(), shared(clientId + "-other"),
        otherDirectory, new SimpleMeterRegistry());
    Awaitility.await().atMost(15, TimeUnit.SECONDS).until(other::isConnected);
    for (int i = 0; i < 20; i++) {
      so.publish(new Topic.ReadyForProcessing("sim-shared", "m" + i).format(), new byte[0]);
    }
    TestProbe<SimulationCommand> mine = directory.simulation$("sim-shared");
    TestProbe<SimulationCommand> theirs = otherDirectory.simulation$("sim-shared");
    java.util.List<String> seen = new java.util.ArrayList<>();
    Awaitility.await().atMost(15, TimeUnit.SECONDS).until(() -> {
      for (TestProbe<SimulationCommand> p : java.util.List.of(mine, theirs)) {
        if (poll(p, Duration.ofMillis(20)) instanceof SimulationCommand.ReportModelReady r) {
          r.replyTo().tell(CommandReply.accepted());
          seen.add(r.modelId());
        }
      }
      return seen.size() >= 20;
    });
    mine.expectNoMessage(Duration.ofMillis(500));
    theirs.expectNoMessage(Duration.ofMillis(100));
    assertEquals(20, new java.util.HashSet<>(seen).size(), "each message reached exactly one node: " + seen);

    // Only this node is subscribed; it receives a message and leaves without acknowledging it.
    other.close();
    so.publish(new Topic.ReadyForProcessing("sim-shared", "orphan").format(), new byte[0]);
    SimulationCommand.ReportModelReady held = mine.expectMessageClass(SimulationCommand.ReportModelReady.class, ROUTED);
    assertEquals("orphan", held.modelId());
    MqttBridge successor = MqttBridge.start(testKit.system(), shared(clientId + "-next"),
        otherDirectory, new SimpleMeterRegistry());
    try {
      Awaitility.await().atMost(15, TimeUnit.SECONDS).until(successor::isConnected);
      bridge.close();
      SimulationCommand.ReportModelReady redelivered =
          theirs.expectMessageClass(SimulationCommand.ReportModelReady.class, Duration.ofSeconds(20));
      assertEquals("orphan", redelivered.modelId());
      redelivered.replyTo().tell(CommandReply.accepted());
    } finally {
      successor.close();
    }
  }

  @Test
  void badMessagesAreDroppedCountedAndAcknowledgedAndTheNextGoodOneRoutes() throws Exception {
    so.publish(deployTopic("sim-garbage"), HexFormat.of().parseHex("0aff01"));
    // '+' matches an empty level, so this malformed topic does reach the bridge.
    so.publish("/lifecycle/model/mso//m1/ReadyForProcessing", new byte[0]);
    so.publish(deployTopic("sim-good"), TestSupport.deployModels("204-asd", 1, TestSupport.sampleModels()).toByteArray());

    SimulationCommand.Deploy deploy =
        directory.simulation$("sim-good").expectMessageClass(SimulationCommand.Deploy.class, ROUTED);
    deploy.replyTo().tell(CommandReply.accepted());
    assertEquals(1.0, metrics.counter("tugboat.mqtt.inbound.dropped", "reason", "undecodable").count());
    assertEquals(1.0, metrics.counter("tugboat.mqtt.inbound.dropped", "reason", "malformed-topic").count());
    assertFalse(directory.wasAddressed("sim-garbage"));
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() ->
        metrics.counter("tugboat.mqtt.inbound", "kind", "DeployModels", "outcome", "accepted").count() == 1.0);

    // All three were acknowledged: a new bridge on the same session gets none of them again.
    bridge.close();
    bridge = startConnectedBridge();
    directory.simulation$("sim-good").expectNoMessage(Duration.ofSeconds(2));
    assertEquals(1.0, metrics.counter("tugboat.mqtt.inbound.dropped", "reason", "undecodable").count());
    assertFalse(directory.wasAddressed("sim-garbage"));
  }

  @Test
  void notificationsArriveAsDotsMessagesAfterTheBrokerAcknowledged() throws Exception {
    so.subscribe(Topics.outboundFilter(TestSupport.SO));
    TestProbe<PublishResult> replies = testKit.createTestProbe(PublishResult.class);
    NotifierCommand[] publishes = {
        new NotifierCommand.Publish(1, new Notification.ModelsReady("sim02-abc"), replies.ref()),
        new NotifierCommand.Publish(2,
            new Notification.ModelHasTerminated("sim02-abc", "1", TerminationStatus.FAILED, 1), replies.ref()),
        new NotifierCommand.Publish(3,
            new Notification.ModelHasTerminated("sim02-abc", "0", TerminationStatus.SUCCEEDED, 0), replies.ref()),
        new NotifierCommand.Publish(4, new Notification.AllModelsHaveTerminated("sim02-abc"), replies.ref())};
    for (NotifierCommand p : publishes) {
      bridge.notifier().tell(p);
    }
    for (long id = 1; id <= 4; id++) {
      assertEquals(new PublishResult.Published(id), replies.expectMessageClass(PublishResult.Published.class));
    }
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> so.received.size() == 4);

    TestMqttClient.Received modelsReady = so.received.get(0);
    assertEquals("/lifecycle/mso/dots-so/sim02-abc/ModelsReady", modelsReady.topic());
    assertEquals(Lifecycle.ModelsReady.getDefaultInstance(), Lifecycle.ModelsReady.parseFrom(modelsReady.payload()));

    TestMqttClient.Received failed = so.received.get(1);
    assertEquals("/lifecycle/mso/dots-so/sim02-abc/1/ModelHasTerminated", failed.topic());
    assertArrayEquals(new byte[] {0x08, 0x01, 0x10, 0x01}, failed.payload());
    Lifecycle.ModelHasTerminated decoded = Lifecycle.ModelHasTerminated.parseFrom(failed.payload());
    assertEquals(Lifecycle.TerminationStatus.FAILED, decoded.getStatus());
    assertEquals(1, decoded.getExitCode());

    TestMqttClient.Received succeeded = so.received.get(2);
    assertEquals("/lifecycle/mso/dots-so/sim02-abc/0/ModelHasTerminated", succeeded.topic());
    assertEquals(Lifecycle.TerminationStatus.SUCCESSFULL,
        Lifecycle.ModelHasTerminated.parseFrom(succeeded.payload()).getStatus());

    TestMqttClient.Received all = so.received.get(3);
    assertEquals("/lifecycle/mso/dots-so/sim02-abc/AllModelsHaveTerminated", all.topic());
    Lifecycle.AllModelsHaveTerminated.parseFrom(all.payload());
    assertEquals(4.0, metrics.get("tugboat.mqtt.outbound").tag("outcome", "published").counters().stream()
        .mapToDouble(c -> c.count()).sum());
  }

  @Test
  void theBridgeSubscribesOnlyToItsInboundTopics() throws Exception {
    // A model-to-SO message is not for the MSO: the bridge must not even receive it.
    so.publish("/lifecycle/model/dots-so/sim02-abc/1/CalculationsDone", new byte[0]);
    so.publish(new Topic.DeployModels("other-so", "sim-other").format(),
        TestSupport.deployModels("x", 1, TestSupport.sampleModels()).toByteArray());
    so.publish(new Topic.ReadyForProcessing("sim-marker", "m").format(), new byte[0]);
    directory.simulation$("sim-marker").expectMessageClass(SimulationCommand.ReportModelReady.class, ROUTED)
        .replyTo().tell(CommandReply.accepted());
    assertFalse(directory.wasAddressed("sim-other"));
    assertEquals(0, metrics.find("tugboat.mqtt.inbound.dropped").counters().size());
  }
}
