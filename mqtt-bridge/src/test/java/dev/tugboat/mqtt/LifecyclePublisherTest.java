package dev.tugboat.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which refusals of the publisher are permanent: the sender gives those notifications up instead
 * of retrying them. A Paho client that never connects is enough, since both refusals come before
 * anything is handed to it.
 */
class LifecyclePublisherTest {

  private static ActorTestKit testKit;

  private MqttAsyncClient client;
  private ActorRef<NotifierCommand> publisher;
  private TestProbe<PublishResult> replies;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("LifecyclePublisherTest");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() throws Exception {
    client = new MqttAsyncClient("tcp://127.0.0.1:1", "lifecycle-publisher-test", new MemoryPersistence());
    publisher = testKit.spawn(LifecyclePublisher.create(client, TestSupport.settings(1, "lifecycle-publisher-test"),
        new SimpleMeterRegistry()));
    replies = testKit.createTestProbe(PublishResult.class);
  }

  @AfterEach
  void tearDown() throws Exception {
    testKit.stop(publisher);
    client.close(true);
  }

  @Test
  void aTopicMqttCannotCarryIsRefusedPermanently() {
    publisher.tell(new NotifierCommand.Publish(1, new Notification.ModelsReady("sim\uD83D\uDE80"), replies.ref()));
    PublishResult.NotPublished refused = replies.expectMessageClass(PublishResult.NotPublished.class);
    assertEquals(1, refused.id());
    assertTrue(refused.reason().contains("cannot be carried by MQTT"), refused.reason());
    assertTrue(refused.permanent(), "every retry would meet the same refusal");
  }

  @Test
  void notBeingConnectedIsARefusalThatMayPass() {
    publisher.tell(new NotifierCommand.Publish(2, new Notification.ModelsReady("sim-ok"), replies.ref()));
    PublishResult.NotPublished refused = replies.expectMessageClass(PublishResult.NotPublished.class);
    assertEquals(2, refused.id());
    assertEquals("not connected to the MQTT broker", refused.reason());
    assertFalse(refused.permanent(), "the broker may come back");
  }
}
