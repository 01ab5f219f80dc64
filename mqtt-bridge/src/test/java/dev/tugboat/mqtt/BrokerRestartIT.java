package dev.tugboat.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.mqtt.sim.EmbeddedBroker;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.topics.Topic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away and comes back on the same port: with its sessions lost (in memory), or
 * with them kept on disk.
 */
class BrokerRestartIT {
  private static ActorTestKit testKit;

  @BeforeAll
  static void startTestKit() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void startReturnsWithoutABrokerAndConnectsOnceOneIsThere() throws Exception {
    Path dir = Files.createTempDirectory("tugboat-broker-late");
    EmbeddedBroker probePort = EmbeddedBroker.start("127.0.0.1", 0, dir);
    int port = probePort.port();
    probePort.close();

    TestSupport.ProbeDirectory directory = new TestSupport.ProbeDirectory(testKit);
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (MqttBridge bridge = MqttBridge.start(testKit.system(), TestSupport.settings(port, "tugboat-it-late"),
        directory, metrics)) {
      assertFalse(bridge.isConnected());
      assertEquals(0.0, metrics.get("tugboat.mqtt.connected").gauge().value());
      TestProbe<PublishResult> replies = testKit.createTestProbe(PublishResult.class);
      bridge.notifier().tell(new NotifierCommand.Publish(7, new Notification.ModelsReady("sim-late"), replies.ref()));
      PublishResult.NotPublished notPublished = replies.expectMessageClass(PublishResult.NotPublished.class);
      assertEquals(7, notPublished.id());

      try (EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", port, dir)) {
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(bridge::isConnected);
        assertEquals(1.0, metrics.get("tugboat.mqtt.connected").gauge().value());
      }
    }
  }

  @Test
  void theBridgeReconnectsAndResubscribesAfterTheBrokerRestarts() throws Exception {
    Path dir = Files.createTempDirectory("tugboat-broker-restart");
    EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", 0, dir);
    int port = broker.port();
    TestSupport.ProbeDirectory directory = new TestSupport.ProbeDirectory(testKit);
    TestProbe<PublishResult> replies = testKit.createTestProbe(PublishResult.class);
    try (MqttBridge bridge = MqttBridge.start(testKit.system(), TestSupport.settings(port, "tugboat-it-restart"),
        directory, new SimpleMeterRegistry())) {
      Awaitility.await().atMost(15, TimeUnit.SECONDS).until(bridge::isConnected);

      broker.close();
      Awaitility.await().atMost(15, TimeUnit.SECONDS).until(() -> !bridge.isConnected());
      bridge.notifier().tell(new NotifierCommand.Publish(1, new Notification.ModelsReady("sim-r"), replies.ref()));
      assertEquals(1, replies.expectMessageClass(PublishResult.NotPublished.class).id());

      // The restarted broker has no session for the bridge: only a resubscription brings messages.
      broker = EmbeddedBroker.start("127.0.0.1", port, dir);
      Awaitility.await().atMost(30, TimeUnit.SECONDS).until(bridge::isConnected);
      try (TestMqttClient so = new TestMqttClient(port, "tugboat-it-restart-so")) {
        so.publish(new Topic.ReadyForProcessing("sim-r", "m0").format(), new byte[0]);
        SimulationCommand.ReportModelReady ready = directory.simulation$("sim-r")
            .expectMessageClass(SimulationCommand.ReportModelReady.class, Duration.ofSeconds(10));
        assertEquals("m0", ready.modelId());
        ready.replyTo().tell(CommandReply.accepted());
      }
      bridge.notifier().tell(new NotifierCommand.Publish(2, new Notification.ModelsReady("sim-r"), replies.ref()));
      assertTrue(replies.expectMessageClass(PublishResult.class, Duration.ofSeconds(10))
          instanceof PublishResult.Published);
    } finally {
      broker.close();
    }
  }

  @Test
  void aBrokerOnDiskKeepsPersistentSessionsAndTheirQueuedMessagesAcrossARestart() throws Exception {
    Path dir = Files.createTempDirectory("tugboat-broker-file");
    EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", 0, dir, EmbeddedBroker.Persistence.FILE);
    int port = broker.port();
    String uri = "tcp://127.0.0.1:" + port;
    List<String> received = new CopyOnWriteArrayList<>();
    MqttClient subscriber = new MqttClient(uri, "tugboat-it-file-sub", new MemoryPersistence());
    subscriber.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {}

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        received.add(topic);
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {}
    });
    MqttConnectOptions persistent = new MqttConnectOptions();
    persistent.setCleanSession(false);
    try {
      subscriber.connect(persistent);
      subscriber.subscribe("/lifecycle/mso/dots-so/#", 1);
      subscriber.disconnect();

      broker.close();
      broker = EmbeddedBroker.start("127.0.0.1", port, dir, EmbeddedBroker.Persistence.FILE);
      // Published while the subscriber is away: the restarted broker must still hold its session.
      try (TestMqttClient mso = new TestMqttClient(port, "tugboat-it-file-pub")) {
        mso.publish(new Topic.ModelsReady("dots-so", "sim-f").format(), new byte[0]);
      }
      broker.close();
      broker = EmbeddedBroker.start("127.0.0.1", port, dir, EmbeddedBroker.Persistence.FILE);

      IMqttToken resumed = subscriber.connectWithResult(persistent);
      assertTrue(resumed.getSessionPresent(), "the session outlived two restarts");
      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> received.size() == 1);
      assertEquals(List.of(new Topic.ModelsReady("dots-so", "sim-f").format()), received);
      subscriber.disconnect();
    } finally {
      subscriber.close();
      broker.close();
    }
  }
}
