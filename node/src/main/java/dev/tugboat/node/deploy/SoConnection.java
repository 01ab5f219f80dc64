package dev.tugboat.node.deploy;

import dev.tugboat.mqtt.MqttSettings;
import dev.tugboat.mqtt.NoDelaySocketFactory;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import dev.tugboat.protocol.topics.Topics;
import java.time.Duration;
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
 * The connection {@code tugboat deploy} speaks DOTS over, as an SO would: it subscribes to what
 * the MSO publishes for one simulation ({@code /lifecycle/mso/{so}/{simulationId}/#}) before it
 * publishes that simulation's DeployModels, so no notification can slip by. Paho's callback only
 * puts what arrives on a queue; the command reads it on its own thread. The sockets are the
 * bridge's, whose guard keeps a topic Paho v3 cannot decode from ending the receive thread.
 */
final class SoConnection implements AutoCloseable {

  /** What arrived from the broker: a message, or the end of the connection. */
  sealed interface Arrival {}

  /** One message on a topic under the simulation's filter. */
  record Message(String topic, byte[] payload) implements Arrival {}

  /** The broker connection dropped. */
  record Lost(String cause) implements Arrival {}

  private final MqttAsyncClient client;
  private final Duration timeout;
  private final String so;
  private final LinkedBlockingQueue<Arrival> inbox = new LinkedBlockingQueue<>();

  private SoConnection(MqttAsyncClient client, Duration timeout, String so) {
    this.client = client;
    this.timeout = timeout;
    this.so = so;
  }

  /**
   * Connects with the node's broker settings (host, port, credentials, simulator name) under a
   * client id of its own, and subscribes to the simulation's notifications.
   */
  static SoConnection open(MqttSettings settings, String simulationId) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(settings.serverUri(), "tugboat-deploy-" + UUID.randomUUID(),
        new MemoryPersistence());
    SoConnection connection = new SoConnection(client, settings.connectTimeout(), settings.so());
    client.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        connection.inbox.add(new Lost(String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause)));
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        connection.inbox.add(new Message(topic, message.getPayload()));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {}
    });
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setCleanSession(true);
    options.setAutomaticReconnect(false);
    options.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
    options.setKeepAliveInterval((int) Math.max(1, settings.keepAlive().toSeconds()));
    options.setSocketFactory(NoDelaySocketFactory.get());
    if (!settings.username().isEmpty()) {
      options.setUserName(settings.username());
      options.setPassword(settings.password().toCharArray());
    }
    try {
      client.connect(options).waitForCompletion(settings.connectTimeout().toMillis() + 1000);
      client.subscribe(notificationFilter(settings.so(), simulationId), 1)
          .waitForCompletion(settings.connectTimeout().toMillis());
    } catch (MqttException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  /** Everything the MSO publishes for one simulation of this SO. */
  static String notificationFilter(String so, String simulationId) {
    return Topics.outboundFilter(so).replace("/#", "/" + simulationId + "/#");
  }

  /** Publishes the simulation's DeployModels (QoS 1) and waits for the broker's acknowledgement. */
  void deploy(DeployFile file) throws MqttException {
    publish(new Topic.DeployModels(so, file.simulationId()).format(), deployModels(file).toByteArray());
  }

  /** The DOTS message for a deploy file, field for field. */
  static Lifecycle.DeployModels deployModels(DeployFile file) {
    Lifecycle.DeployModels.Builder b = Lifecycle.DeployModels.newBuilder()
        .setSimulatorId(file.simulatorId()).setKeepLogsHours(file.keepLogsHours());
    for (ModelSpec m : file.models()) {
      Lifecycle.ModelConfiguration.Builder mc = Lifecycle.ModelConfiguration.newBuilder()
          .setModelID(m.modelId()).setImageUrl(m.imageUrl());
      for (EnvVar e : m.env()) {
        mc.addEnvironmentVariables(Lifecycle.EnvironmentVariable.newBuilder().setName(e.name()).setValue(e.value()));
      }
      b.addModelConfigurations(mc);
    }
    return b.build();
  }

  private void publish(String topic, byte[] payload) throws MqttException {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(1);
    client.publish(topic, message).waitForCompletion(timeout.toMillis());
  }

  /** The next arrival, or empty when none came within {@code wait}. */
  Optional<Arrival> next(Duration wait) throws InterruptedException {
    return Optional.ofNullable(inbox.poll(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS));
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(2_000);
      }
    } catch (MqttException e) {
      // Leaving anyway; the broker drops the clean session with the connection.
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      // Nothing is left to release.
    }
  }
}
