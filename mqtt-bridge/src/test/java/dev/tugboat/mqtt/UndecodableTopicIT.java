package dev.tugboat.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.tugboat.mqtt.sim.EmbeddedBroker;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.MqttText;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.topics.Topic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * DeployModels on topics Paho v3 cannot decode, published to the real (embedded HiveMQ CE)
 * broker by a raw-socket client: the bridge drops and acknowledges each, stays connected, and
 * routes the good message after it. Without {@link InboundTopicGuard} the first one ends Paho's
 * receive thread and nothing after it arrives. Outbound, such a topic never reaches Paho.
 */
class UndecodableTopicIT {
  private static final Duration ROUTED = Duration.ofSeconds(10);
  private static ActorTestKit testKit;
  private static EmbeddedBroker broker;

  private TestSupport.ProbeDirectory directory;
  private SimpleMeterRegistry metrics;
  private MqttBridge bridge;
  private String clientId;
  private final Captured logs = new Captured();

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
  void startBridge(TestInfo info) {
    logs.start();
    bridgeLogger().addAppender(logs);
    directory = new TestSupport.ProbeDirectory(testKit);
    metrics = new SimpleMeterRegistry();
    clientId = "tugboat-it-" + info.getTestMethod().orElseThrow().getName();
    bridge = startConnectedBridge();
  }

  @AfterEach
  void stopBridge() {
    bridge.close();
    bridgeLogger().detachAppender(logs);
  }

  @Test
  void messagesOnTopicsWithACharacterOutsideTheBmpAreDroppedAndAcknowledgedAndTheBridgeStaysUp()
      throws Exception {
    byte[] payload = TestSupport.deployModels("204-asd", 1, TestSupport.sampleModels()).toByteArray();
    try (RawMqttPublisher so = new RawMqttPublisher(broker.port(), clientId + "-so")) {
      assertTrue(so.publish("/lifecycle/dots-so/mso/sim\uD83D\uDE80/DeployModels".getBytes(UTF_8), payload),
          "the broker takes a topic with a 4-byte UTF-8 character");
      assertTrue(so.publish("/lifecycle/model/mso/sim-good/m\uD83D\uDE80/ReadyForProcessing".getBytes(UTF_8),
          new byte[0]));
      assertTrue(so.publish(deployTopic("sim-good"), payload));
    }

    SimulationCommand.Deploy deploy =
        directory.simulation$("sim-good").expectMessageClass(SimulationCommand.Deploy.class, ROUTED);
    deploy.replyTo().tell(CommandReply.accepted());
    Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> dropped() == 2.0
        && metrics.counter("tugboat.mqtt.inbound", "kind", "DeployModels", "outcome", "accepted").count() == 1.0);
    assertTrue(bridge.isConnected());
    assertEquals(List.of(), connectionsLost());
    assertFalse(directory.wasAddressed("sim\uD83D\uDE80"));
    List<String> guarded = guardWarnings();
    assertEquals(2, guarded.size(), guarded.toString());
    assertTrue(guarded.get(0).contains("/lifecycle/dots-so/mso/sim\\ud83d\\ude80/DeployModels"), guarded.get(0));
    assertTrue(guarded.get(1).contains("/lifecycle/model/mso/sim-good/m\\ud83d\\ude80/ReadyForProcessing"),
        guarded.get(1));
    guarded.forEach(line -> assertTrue(MqttText.carriable(line), "no raw surrogate in the log: " + line));

    // All three were acknowledged: a new bridge on the same session gets none of them again.
    bridge.close();
    bridge = startConnectedBridge();
    directory.simulation$("sim-good").expectNoMessage(Duration.ofSeconds(2));
    assertEquals(2.0, dropped());
    assertEquals(2, guardWarnings().size());
  }

  /**
   * HiveMQ CE takes none of the other topics Paho cannot decode: it closes the publisher's
   * connection without a PUBACK, so they never reach the bridge (InboundTopicGuardTest covers
   * them for brokers that do deliver them).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"BEL, 07", "NUL, 00", "LF, 0A", "DEL, 7F", "NEL U+0085, C285", "noncharacter U+FFFE, EFBFBE",
      "noncharacter U+FDD0, EFB790", "noncharacter U+FFFF, EFBFBF", "ED A0 BD (a lone surrogate), EDA0BD",
      "C0 AF (overlong), C0AF", "FF (never UTF-8), FF"})
  void theBrokerRefusesOtherTopicsPahoCannotDecodeAndTheBridgeCarriesOn(String name, String hex) throws Exception {
    byte[] payload = TestSupport.deployModels("204-asd", 1, TestSupport.sampleModels()).toByteArray();
    byte[] topic = concat("/lifecycle/dots-so/mso/sim".getBytes(UTF_8), HexFormat.of().parseHex(hex),
        "/DeployModels".getBytes(UTF_8));
    try (RawMqttPublisher hostile = new RawMqttPublisher(broker.port(), clientId + "-hostile")) {
      assertFalse(hostile.publish(topic, payload), name + ": the broker closes the connection, no PUBACK");
    }
    try (RawMqttPublisher so = new RawMqttPublisher(broker.port(), clientId + "-so")) {
      assertTrue(so.publish(deployTopic("sim-good"), payload));
    }
    SimulationCommand.Deploy deploy =
        directory.simulation$("sim-good").expectMessageClass(SimulationCommand.Deploy.class, ROUTED);
    deploy.replyTo().tell(CommandReply.accepted());
    assertEquals(0.0, dropped());
    assertEquals(List.of(), guardWarnings());
    assertTrue(bridge.isConnected());
    assertEquals(List.of(), connectionsLost());
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void aNotificationOnATopicMqttCannotCarryIsNotPublishedAndThePublisherStaysUp() throws Exception {
    TestProbe<PublishResult> replies = testKit.createTestProbe(PublishResult.class);
    bridge.notifier().tell(new NotifierCommand.Publish(1, new Notification.ModelsReady("sim\uD83D\uDE80"),
        replies.ref()));
    PublishResult.NotPublished refused = replies.expectMessageClass(PublishResult.NotPublished.class);
    assertEquals(1, refused.id());
    assertTrue(refused.reason().contains("cannot be carried by MQTT 3.1.1"), refused.reason());
    assertTrue(refused.reason().contains("/lifecycle/mso/dots-so/sim\\ud83d\\ude80/ModelsReady"), refused.reason());
    assertTrue(MqttText.carriable(refused.reason()), "no raw surrogate in the reason: " + refused.reason());

    bridge.notifier().tell(new NotifierCommand.Publish(2, new Notification.ModelsReady("sim-good"), replies.ref()));
    assertEquals(new PublishResult.Published(2), replies.expectMessageClass(PublishResult.Published.class));
    assertTrue(bridge.isConnected());
    assertEquals(List.of(), connectionsLost());
  }

  private MqttBridge startConnectedBridge() {
    MqttBridge b = MqttBridge.start(testKit.system(), TestSupport.settings(broker.port(), clientId), directory, metrics);
    Awaitility.await().atMost(15, TimeUnit.SECONDS).until(b::isConnected);
    return b;
  }

  private static byte[] deployTopic(String simulationId) {
    return new Topic.DeployModels(TestSupport.SO, simulationId).format().getBytes(UTF_8);
  }

  private double dropped() {
    return metrics.counter("tugboat.mqtt.inbound.dropped", "reason", "malformed-topic").count();
  }

  private List<String> guardWarnings() {
    return logs.events.stream()
        .filter(e -> e.getLoggerName().equals(InboundTopicGuard.class.getName()) && e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private List<String> connectionsLost() {
    return logs.events.stream()
        .filter(e -> e.getLoggerName().equals(MqttBridge.class.getName()))
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("lost the connection"))
        .toList();
  }

  private static Logger bridgeLogger() {
    return (Logger) LoggerFactory.getLogger("dev.tugboat.mqtt");
  }

  /** Log events of the bridge's package, kept for the assertions. */
  private static final class Captured extends AppenderBase<ILoggingEvent> {
    final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
      events.add(event);
    }
  }
}
