package dev.tugboat.node.so;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import dev.tugboat.protocol.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A simulated DOTS simulation orchestrator (used by {@code demo}, {@code bench} and the end-to-end
 * tests): publishes DeployModels and collects what the MSO publishes for its simulator, decoded
 * with the DOTS protobuf types. The Paho callback only enqueues; nothing waits inside it.
 */
public final class SimulatedSo implements AutoCloseable {

  /** One lifecycle message received from the MSO, with its arrival time (System.nanoTime). */
  public record Received(Topic topic, Message message, long arrivedNanos) {
    public String describe() {
      String body = message instanceof Lifecycle.ModelHasTerminated m
          ? "status: " + m.getStatus() + " exitCode: " + m.getExitCode()
          : message.toString().trim().replace('\n', ' ');
      return topic.format() + (body.isEmpty() ? "" : "  {" + body + "}");
    }
  }

  private final MqttAsyncClient client;
  private final String so;
  private final LinkedBlockingQueue<Received> inbox = new LinkedBlockingQueue<>();

  private SimulatedSo(MqttAsyncClient client, String so) {
    this.client = client;
    this.so = so;
  }

  /** Connects to the broker and subscribes to {@code /lifecycle/mso/{so}/#}, as the DOTS SO does. */
  public static SimulatedSo connect(String host, int port, String simulatorName) throws MqttException {
    String so = Topics.soSegment(simulatorName);
    MqttAsyncClient client = new MqttAsyncClient("tcp://" + host + ":" + port,
        "simulated-so-" + UUID.randomUUID(), new MemoryPersistence());
    SimulatedSo simulatedSo = new SimulatedSo(client, so);
    client.setCallback(simulatedSo.callback());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setCleanSession(true);
    options.setMaxInflight(1000);
    client.connect(options).waitForCompletion(10_000);
    client.subscribe(Topics.outboundFilter(so), 1).waitForCompletion(10_000);
    return simulatedSo;
  }

  private MqttCallback callback() {
    return new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        // The demo and the benchmark fail on their deadlines; nothing to do here.
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        long now = System.nanoTime();
        decode(topic, message.getPayload()).ifPresent(r -> inbox.add(new Received(r.topic(), r.message(), now)));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {}
    };
  }

  private static Optional<Received> decode(String topic, byte[] payload) {
    try {
      Topic t = Topics.parse(topic);
      Message m;
      if (t instanceof Topic.ModelsReady) {
        m = Lifecycle.ModelsReady.parseFrom(payload);
      } else if (t instanceof Topic.ModelHasTerminated) {
        m = Lifecycle.ModelHasTerminated.parseFrom(payload);
      } else if (t instanceof Topic.AllModelsHaveTerminated) {
        m = Lifecycle.AllModelsHaveTerminated.parseFrom(payload);
      } else {
        return Optional.empty();
      }
      return Optional.of(new Received(t, m, 0));
    } catch (Topics.MalformedTopicException | InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }

  /** Publishes DeployModels (QoS 1) and waits for the broker's acknowledgement. */
  public void deploy(String simulatorId, String simulationId, List<ModelSpec> models, double keepLogsHours)
      throws MqttException {
    Lifecycle.DeployModels.Builder b = Lifecycle.DeployModels.newBuilder()
        .setSimulatorId(simulatorId).setKeepLogsHours(keepLogsHours);
    for (ModelSpec m : models) {
      Lifecycle.ModelConfiguration.Builder mc = Lifecycle.ModelConfiguration.newBuilder()
          .setModelID(m.modelId()).setImageUrl(m.imageUrl());
      for (EnvVar e : m.env()) {
        mc.addEnvironmentVariables(Lifecycle.EnvironmentVariable.newBuilder().setName(e.name()).setValue(e.value()));
      }
      b.addModelConfigurations(mc);
    }
    publish(new Topic.DeployModels(so, simulationId).format(), b.build().toByteArray());
  }

  /** Publishes raw bytes on a topic (QoS 1), for tests of bad input. */
  public void publish(String topic, byte[] payload) throws MqttException {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(1);
    client.publish(topic, message).waitForCompletion(30_000);
  }

  /** The next message from the MSO, or empty after the timeout. */
  public Optional<Received> next(Duration timeout) throws InterruptedException {
    return Optional.ofNullable(inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(5_000);
      }
      client.close();
    } catch (MqttException e) {
      // closing anyway
    }
  }
}
