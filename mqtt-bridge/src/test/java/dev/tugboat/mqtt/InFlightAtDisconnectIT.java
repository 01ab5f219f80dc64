package dev.tugboat.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import dev.tugboat.mqtt.sim.EmbeddedBroker;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker stops while a notification is in flight (its PUBLISH held back by an extension, so
 * the broker never took it) and comes back with its sessions (on disk). The publisher answers
 * NotPublished, the simulation's outbox sends the notification again, and the SO gets it exactly
 * once: the MQTT client must not re-send the earlier attempt on its own after the reconnect.
 */
class InFlightAtDisconnectIT {
  private static final AtomicBoolean holding = new AtomicBoolean();
  private static final CompletableFuture<Void> never = new CompletableFuture<>();
  private static ActorTestKit testKit;
  private static Path dir;
  private static int port;

  /** While {@code holding}, holds each publish to /lifecycle/mso/... (never released: it dies with the broker). */
  private static final class HoldPublishes implements ExtensionMain {
    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
      Services.initializerRegistry().setClientInitializer((initializerInput, clientContext) ->
          clientContext.addPublishInboundInterceptor((in, out) -> {
            if (holding.get() && in.getPublishPacket().getTopic().startsWith("/lifecycle/mso/")) {
              Async<PublishInboundOutput> async = out.async(Duration.ofMinutes(5), TimeoutFallback.FAILURE);
              never.thenRun(async::resume);
            }
          }));
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}
  }

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create();
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    dir = Files.createTempDirectory("tugboat-broker-inflight");
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(conf.resolve("config.xml"),
        EmbeddedBroker.configXml("127.0.0.1", port, EmbeddedBroker.Persistence.FILE));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static EmbeddedHiveMQ startBroker() throws Exception {
    EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(dir.resolve("conf"))
        .withDataFolder(Files.createDirectories(dir.resolve("data")))
        .withExtensionsFolder(Files.createDirectories(dir.resolve("extensions")))
        .withEmbeddedExtension(EmbeddedExtension.builder()
            .withId("hold-publishes").withName("hold publishes").withVersion("1").withAuthor("tugboat")
            .withPriority(0).withStartPriority(0).withExtensionMain(new HoldPublishes()).build())
        .build();
    hivemq.start().get(60, TimeUnit.SECONDS);
    return hivemq;
  }

  private static void stopBroker(EmbeddedHiveMQ hivemq) throws Exception {
    hivemq.stop().get(30, TimeUnit.SECONDS);
    hivemq.close();
  }

  @Test
  void aPublishInFlightWhenTheConnectionDropsReachesTheSoOnceAfterTheOutboxSendsItAgain() throws Exception {
    EmbeddedHiveMQ hivemq = startBroker();
    List<String> received = new CopyOnWriteArrayList<>();
    MqttClient so = new MqttClient("tcp://127.0.0.1:" + port, "inflight-so", new MemoryPersistence());
    so.setCallback(new MqttCallback() {
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
    persistent.setAutomaticReconnect(true);
    persistent.setMaxReconnectDelay(1000);
    so.connect(persistent);
    so.subscribe("/lifecycle/mso/dots-so/#", 1);

    TestProbe<PublishResult> replies = testKit.createTestProbe(PublishResult.class);
    Notification.ModelsReady ready = new Notification.ModelsReady("sim-inflight");
    String topic = "/lifecycle/mso/dots-so/sim-inflight/ModelsReady";
    try (MqttBridge bridge = MqttBridge.start(testKit.system(), TestSupport.settings(port, "tugboat-it-inflight"),
        new TestSupport.ProbeDirectory(testKit), new SimpleMeterRegistry())) {
      Awaitility.await().atMost(15, TimeUnit.SECONDS).until(bridge::isConnected);

      holding.set(true);
      bridge.notifier().tell(new NotifierCommand.Publish(1, ready, replies.ref()));
      replies.expectNoMessage(Duration.ofMillis(500));
      stopBroker(hivemq);
      PublishResult dropped = replies.expectMessageClass(PublishResult.class, Duration.ofSeconds(10));
      assertTrue(dropped instanceof PublishResult.NotPublished, String.valueOf(dropped));

      holding.set(false);
      hivemq = startBroker();
      Awaitility.await().atMost(15, TimeUnit.SECONDS).until(bridge::isConnected);
      // What the simulation's outbox does on its next tick.
      bridge.notifier().tell(new NotifierCommand.Publish(1, ready, replies.ref()));
      assertEquals(new PublishResult.Published(1), replies.expectMessageClass(PublishResult.class, Duration.ofSeconds(10)));

      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> so.isConnected() && received.contains(topic));
      // A stray second copy (the client's own re-send of the dropped attempt) would arrive meanwhile.
      Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .untilAsserted(() -> assertEquals(List.of(topic), received, "the SO gets the notification once"));
    } finally {
      so.disconnectForcibly(1000);
      so.close();
      stopBroker(hivemq);
    }
  }
}
