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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A broker whose extension holds back every outbound lifecycle publish (and so its PUBACK) until
 * the test opens the gate: Published must come only after the broker acknowledged.
 */
class PublishAcknowledgementIT {
  private static final AtomicReference<CompletableFuture<Void>> gate = new AtomicReference<>();
  private static ActorTestKit testKit;
  private static EmbeddedHiveMQ hivemq;
  private static int port;

  /** Holds each publish to /lifecycle/mso/... until the current gate completes. */
  private static final class HoldPublishes implements ExtensionMain {
    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
      Services.initializerRegistry().setClientInitializer((initializerInput, clientContext) ->
          clientContext.addPublishInboundInterceptor((in, out) -> {
            if (in.getPublishPacket().getTopic().startsWith("/lifecycle/mso/")) {
              Async<PublishInboundOutput> async = out.async(Duration.ofSeconds(30), TimeoutFallback.SUCCESS);
              gate.get().thenRun(async::resume);
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
    Path dir = Files.createTempDirectory("tugboat-broker-gated");
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(conf.resolve("config.xml"), EmbeddedBroker.configXml("127.0.0.1", port));
    hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(conf)
        .withDataFolder(Files.createDirectories(dir.resolve("data")))
        .withExtensionsFolder(Files.createDirectories(dir.resolve("extensions")))
        .withEmbeddedExtension(EmbeddedExtension.builder()
            .withId("hold-publishes").withName("hold publishes").withVersion("1").withAuthor("tugboat")
            .withPriority(0).withStartPriority(0).withExtensionMain(new HoldPublishes()).build())
        .build();
    hivemq.start().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    testKit.shutdownTestKit();
    hivemq.stop().get(30, TimeUnit.SECONDS);
    hivemq.close();
  }

  private static MqttBridge connectedBridge(String clientId, Duration publishTimeout) {
    MqttSettings b = TestSupport.settings(port, clientId);
    MqttSettings settings = new MqttSettings(b.host(), b.port(), "", "", b.simulatorName(), b.clientId(), 1,
        b.maxInflight(), b.keepAlive(), b.connectTimeout(), b.reconnectMaxDelay(), b.routeTimeout(),
        b.routeAttempts(), publishTimeout, "");
    MqttBridge bridge = MqttBridge.start(testKit.system(), settings, new TestSupport.ProbeDirectory(testKit),
        new SimpleMeterRegistry());
    Awaitility.await().atMost(15, TimeUnit.SECONDS).until(bridge::isConnected);
    return bridge;
  }

  @Test
  void publishedOnlyAfterTheBrokerAcknowledged() {
    gate.set(new CompletableFuture<>());
    try (MqttBridge bridge = connectedBridge("tugboat-it-gated", Duration.ofSeconds(20))) {
      TestProbe<PublishResult> replies = testKit.createTestProbe(PublishResult.class);
      bridge.notifier().tell(new NotifierCommand.Publish(1, new Notification.ModelsReady("sim-g"), replies.ref()));
      replies.expectNoMessage(Duration.ofSeconds(1));
      gate.get().complete(null);
      assertEquals(new PublishResult.Published(1), replies.expectMessageClass(PublishResult.class));
    }
  }

  @Test
  void notPublishedWhenTheBrokerDoesNotAcknowledgeInTime() {
    gate.set(new CompletableFuture<>());
    try (MqttBridge bridge = connectedBridge("tugboat-it-gated-timeout", Duration.ofMillis(700))) {
      TestProbe<PublishResult> replies = testKit.createTestProbe(PublishResult.class);
      bridge.notifier().tell(new NotifierCommand.Publish(5, new Notification.ModelsReady("sim-t"), replies.ref()));
      PublishResult result = replies.expectMessageClass(PublishResult.class, Duration.ofSeconds(5));
      assertTrue(result instanceof PublishResult.NotPublished, String.valueOf(result));
      assertEquals(5, result.id());
      // The late PUBACK does not produce a second reply.
      gate.get().complete(null);
      replies.expectNoMessage(Duration.ofSeconds(1));
    }
  }
}
