package dev.tugboat.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tugboat.mqtt.sim.EmbeddedBroker;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Far more publishes than Paho's in-flight window: all are acknowledged, none refused. */
class PublishLoadIT {
  private static final int COUNT = 2000;
  private static final int MAX_INFLIGHT = 20;
  private static ActorTestKit testKit;
  private static EmbeddedBroker broker;

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create();
    broker = EmbeddedBroker.start("127.0.0.1", 0, Files.createTempDirectory("tugboat-broker-load"));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    broker.close();
  }

  @Test
  void manyPublishesAllArriveWithinTheInflightWindow() throws Exception {
    MqttSettings base = TestSupport.settings(broker.port(), "tugboat-it-load");
    MqttSettings settings = new MqttSettings(base.host(), base.port(), "", "", base.simulatorName(), base.clientId(),
        1, MAX_INFLIGHT, base.keepAlive(), base.connectTimeout(), base.reconnectMaxDelay(), base.routeTimeout(),
        base.routeAttempts(), Duration.ofSeconds(60), "");
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (TestMqttClient so = new TestMqttClient(broker.port(), "tugboat-it-load-so");
        MqttBridge bridge = MqttBridge.start(testKit.system(), settings, new TestSupport.ProbeDirectory(testKit),
            metrics)) {
      so.subscribe(Topics.outboundFilter(TestSupport.SO));
      Awaitility.await().atMost(15, TimeUnit.SECONDS).until(bridge::isConnected);

      TestProbe<PublishResult> replies = testKit.createTestProbe(PublishResult.class);
      for (long id = 1; id <= COUNT; id++) {
        bridge.notifier().tell(new NotifierCommand.Publish(id,
            new Notification.ModelHasTerminated("sim-load", "m" + id, TerminationStatus.FAILED, 1), replies.ref()));
      }
      List<PublishResult> results = replies.receiveSeveralMessages(COUNT, Duration.ofSeconds(60));
      List<PublishResult> failures = results.stream().filter(r -> !(r instanceof PublishResult.Published)).toList();
      assertEquals(List.of(), failures);
      assertEquals(LongStream.rangeClosed(1, COUNT).boxed().collect(Collectors.toSet()),
          results.stream().map(PublishResult::id).collect(Collectors.toSet()));

      Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> so.received.size() >= COUNT);
      Set<String> topics = so.received.stream().map(TestMqttClient.Received::topic).collect(Collectors.toSet());
      assertEquals(COUNT, topics.size());
      // Paho never refused a publish for a full window: the actor's queue kept it below max-inflight.
      assertEquals(0.0, metrics.counter("tugboat.mqtt.outbound.window-full").count());
      assertEquals(0.0, metrics.get("tugboat.mqtt.outbound.in-flight").gauge().value());
    }
  }
}
