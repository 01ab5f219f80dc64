package dev.tugboat.mqtt.sim;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import dev.tugboat.protocol.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.DisconnectedBufferOptions;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated DOTS simulation orchestrator (used by {@code demo}, {@code bench} and the end-to-end
 * tests): publishes DeployModels and collects what the MSO publishes for its simulator, decoded
 * with the DOTS protobuf types. It rides out a broker restart as an SO that must miss nothing
 * would: a persistent session (clean session false) under one client id, so a broker that keeps
 * sessions queues the MSO's messages while it is away; automatic reconnection; a resubscription
 * after every reconnect (for a broker that lost the session); publishes made while disconnected
 * are buffered and sent once connected again. The Paho callback only enqueues or hands work to
 * its own thread; nothing waits inside it.
 */
public final class SimulatedSo implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedSo.class);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(60);
  private static final int RECONNECT_MAX_DELAY_MS = 2_000;
  private static final int SUBSCRIBE_ATTEMPTS = 10;

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
  private final MqttConnectOptions options;
  private final String so;
  private final LinkedBlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
  // Resubscriptions run here, never on Paho's callback thread.
  private final ScheduledExecutorService control;
  private final AtomicInteger reconnects = new AtomicInteger();
  private volatile Instant connectionLostAt;
  private volatile boolean closed;

  private SimulatedSo(MqttAsyncClient client, MqttConnectOptions options, String so) {
    this.client = client;
    this.options = options;
    this.so = so;
    this.control = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "simulated-so-" + client.getClientId());
      t.setDaemon(true);
      return t;
    });
  }

  /** Connects to the broker and subscribes to {@code /lifecycle/mso/{so}/#}, as the DOTS SO does. */
  public static SimulatedSo connect(String host, int port, String simulatorName) throws MqttException {
    String so = Topics.soSegment(simulatorName);
    MqttAsyncClient client = new MqttAsyncClient("tcp://" + host + ":" + port,
        "simulated-so-" + UUID.randomUUID(), new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    // The broker keeps the subscription and the messages that arrive while this SO is away.
    options.setCleanSession(false);
    options.setAutomaticReconnect(true);
    options.setMaxReconnectDelay(RECONNECT_MAX_DELAY_MS);
    options.setMaxInflight(1000);
    // Nagle off (NoDelaySockets says why): otherwise the benchmark's termination burst measures
    // this SO's PUBACKs, not the MSO.
    options.setSocketFactory(NoDelaySockets.INSTANCE);
    DisconnectedBufferOptions buffer = new DisconnectedBufferOptions();
    buffer.setBufferEnabled(true);
    buffer.setBufferSize(10_000);
    buffer.setDeleteOldestMessages(false);
    client.setBufferOpts(buffer);
    SimulatedSo simulatedSo = new SimulatedSo(client, options, so);
    client.setCallback(simulatedSo.callback());
    try {
      client.connect(options).waitForCompletion(CONNECT_TIMEOUT.toMillis());
      client.subscribe(Topics.outboundFilter(so), 1).waitForCompletion(CONNECT_TIMEOUT.toMillis());
    } catch (MqttException e) {
      simulatedSo.close();
      throw e;
    }
    return simulatedSo;
  }

  private MqttCallbackExtended callback() {
    return new MqttCallbackExtended() {
      @Override
      public void connectComplete(boolean reconnect, String serverUri) {
        if (reconnect && !closed) {
          reconnects.incrementAndGet();
          log.info("simulated SO {} reconnected to {}", client.getClientId(), serverUri);
          // The broker may have lost the session (a restart without persistence): subscribe again.
          execute(() -> subscribe(1));
        }
      }

      @Override
      public void connectionLost(Throwable cause) {
        connectionLostAt = Instant.now();
        if (!closed) {
          log.warn("simulated SO {} lost the connection: {}; reconnecting", client.getClientId(), String.valueOf(cause));
        }
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

  private void subscribe(int attempt) {
    if (closed || !client.isConnected()) {
      // The next reconnect subscribes again.
      return;
    }
    try {
      client.subscribe(Topics.outboundFilter(so), 1, null, new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {}

        @Override
        public void onFailure(IMqttToken token, Throwable error) {
          subscribeFailed(attempt, error);
        }
      });
    } catch (MqttException e) {
      subscribeFailed(attempt, e);
    }
  }

  private void subscribeFailed(int attempt, Throwable error) {
    if (closed) {
      return;
    }
    if (attempt >= SUBSCRIBE_ATTEMPTS) {
      log.error("simulated SO {} could not subscribe again after {} attempts: {}", client.getClientId(), attempt,
          String.valueOf(error));
      return;
    }
    try {
      control.schedule(() -> subscribe(attempt + 1), 200L * attempt, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Closed meanwhile.
    }
  }

  private void execute(Runnable task) {
    try {
      control.execute(task);
    } catch (RejectedExecutionException e) {
      // Closed meanwhile.
    }
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

  /** Publishes DeployModels (QoS 1) and waits for the broker's acknowledgement (see {@link #publish}). */
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

  /**
   * Publishes raw bytes on a topic (QoS 1) and waits up to a minute for the broker's
   * acknowledgement. While disconnected the message is buffered and sent after the reconnect; a
   * publish whose connection dropped before its acknowledgement is sent again (the MSO handles
   * every message idempotently, so a second copy changes nothing).
   */
  public void publish(String topic, byte[] payload) throws MqttException {
    long deadline = System.nanoTime() + PUBLISH_TIMEOUT.toNanos();
    while (true) {
      MqttMessage message = new MqttMessage(payload);
      message.setQos(1);
      try {
        long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        client.publish(topic, message).waitForCompletion(leftMs);
        return;
      } catch (MqttException e) {
        if (!connectionDropped(e) || System.nanoTime() >= deadline) {
          throw e;
        }
        log.info("simulated SO {}: publish on {} interrupted by a lost connection ({}); sending it again",
            client.getClientId(), topic, e.getReasonCode());
      }
    }
  }

  private static boolean connectionDropped(MqttException e) {
    int code = e.getReasonCode();
    return code == MqttException.REASON_CODE_CONNECTION_LOST
        || code == MqttException.REASON_CODE_CLIENT_NOT_CONNECTED
        || code == MqttException.REASON_CODE_CLIENT_DISCONNECTING;
  }

  /** How many times the connection came back after it was lost. */
  public int reconnects() {
    return reconnects.get();
  }

  /** When the connection to the broker was last lost, if ever. */
  public Optional<Instant> connectionLostAt() {
    return Optional.ofNullable(connectionLostAt);
  }

  /** True while connected to the broker. */
  public boolean isConnected() {
    return client.isConnected();
  }

  /** The next message from the MSO, or empty after the timeout. */
  public Optional<Received> next(Duration timeout) throws InterruptedException {
    return Optional.ofNullable(inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  /**
   * Disconnects and ends the persistent session (one short clean-session connection), so the
   * broker does not keep queueing messages for an SO that is gone.
   */
  @Override
  public void close() {
    closed = true;
    control.shutdownNow();
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(5_000);
        MqttConnectOptions discard = new MqttConnectOptions();
        discard.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        discard.setCleanSession(true);
        client.connect(discard).waitForCompletion(5_000);
        client.disconnect().waitForCompletion(5_000);
      }
    } catch (MqttException e) {
      log.debug("simulated SO {} did not end its session cleanly: {}", client.getClientId(), e.toString());
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      log.debug("closing simulated SO {}: {}", client.getClientId(), e.toString());
    }
  }
}
