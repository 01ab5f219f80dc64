package dev.tugboat.mqtt;

import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.topics.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
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
 * Tugboat's MQTT connections. The inbound one (client id {@code client-id}, persistent session)
 * subscribes to DeployModels and ReadyForProcessing of its SO, routes each message to its
 * Simulation entity and acknowledges it (manual ack) only after the entity replied, so a crash
 * before the entity persisted means the broker redelivers it. The outbound one (client id
 * {@code client-id + "-pub"}, clean session) carries the {@link LifecyclePublisher} behind
 * {@link #notifier()}: a publish still unacknowledged when it drops fails and is re-sent by the
 * simulation's outbox only, never also by the MQTT client from its session state. Both connect
 * in the background: {@link #start} returns at once and {@link #isConnected()} tells when they
 * are up.
 */
public final class MqttBridge implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttBridge.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(500);
  private static final int SUBSCRIBE_ATTEMPTS = 10;
  private static final int SUBACK_FAILURE = 0x80;

  /** Suffix of the outbound connection's client id. */
  public static final String PUBLISHER_SUFFIX = "-pub";

  private final MqttSettings settings;
  private final MqttAsyncClient client;
  private final MqttConnectOptions options;
  private final MqttAsyncClient publisher;
  private final MqttConnectOptions publisherOptions;
  private final InboundRouter router;
  private final ActorRef<NotifierCommand> notifier;
  // Connection attempts and resubscriptions run here, never on Paho's callback thread.
  private final ScheduledExecutorService control;
  private final String[] filters;
  private final String[] plainFilters;
  private final AtomicBoolean subscribed = new AtomicBoolean();
  // Bumped on every connection loss: a reply that comes back after the connection its message
  // arrived on is gone must not ack, since the broker may have reused the packet id.
  private final AtomicLong connection = new AtomicLong();
  /** Inbound messages handed to the router and not yet answered (acknowledged, or dropped). */
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closed;

  private MqttBridge(MqttSettings settings, MqttAsyncClient client, MqttAsyncClient publisher, InboundRouter router,
      ActorRef<NotifierCommand> notifier) {
    this.settings = settings;
    this.client = client;
    this.publisher = publisher;
    this.router = router;
    this.notifier = notifier;
    this.plainFilters = new String[] {Topics.deployModelsFilter(settings.so()), Topics.readyForProcessingFilter()};
    this.filters = Arrays.stream(plainFilters).map(settings::subscriptionFilter).toArray(String[]::new);
    // Inbound: the broker keeps the subscription and redelivers unacknowledged QoS 1 messages.
    this.options = connectOptions(settings, false);
    // Outbound: nothing kept across a reconnect, so Paho never re-sends what the outbox re-sends.
    this.publisherOptions = connectOptions(settings, true);
    this.control = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tugboat-mqtt-control-" + settings.clientId());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Creates the client and starts connecting in the background (retrying with a backoff capped
   * at reconnect-max-delay until connected or closed). Fails at once only for invalid settings.
   */
  public static MqttBridge start(ActorSystem<?> system, MqttSettings settings, EntityDirectory directory,
      MeterRegistry metrics) {
    MqttAsyncClient client;
    MqttAsyncClient publisher;
    try {
      client = new MqttAsyncClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
      publisher = new MqttAsyncClient(settings.serverUri(), settings.clientId() + PUBLISHER_SUFFIX,
          new MemoryPersistence());
    } catch (MqttException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot create the MQTT client for " + settings + ": " + e.getMessage(), e);
    }
    // Acks are sent when the entity replied, not when messageArrived returns.
    client.setManualAcks(true);
    ActorRef<NotifierCommand> notifier = system.systemActorOf(LifecyclePublisher.create(publisher, settings, metrics),
        "mqtt-publisher-" + UUID.randomUUID(), Props.empty());
    MqttBridge bridge = new MqttBridge(settings, client, publisher,
        new InboundRouter(system, directory, settings, metrics), notifier);
    client.setCallback(bridge.new Callback());
    publisher.setCallback(bridge.new PublisherCallback());
    Gauge.builder("tugboat.mqtt.inbound.in-flight", bridge.inFlight, AtomicInteger::get)
        .description("Inbound messages received and not yet answered by their entity; the broker sends no more "
            + "than its window of unacknowledged messages per connection")
        .strongReference(true)
        .register(metrics);
    Gauge.builder("tugboat.mqtt.connected", bridge, b -> b.isConnected() ? 1 : 0)
        .description("1 while the bridge is connected to the broker and subscribed")
        .strongReference(true)
        .register(metrics);
    log.info("MQTT bridge starting: {} as clients {} (inbound) and {} (outbound), SO '{}', subscribing to {}",
        settings.serverUri(), settings.clientId(), publisher.getClientId(), settings.so(),
        Arrays.toString(bridge.filters));
    bridge.control.execute(() -> bridge.connect(client, bridge.options, 1));
    bridge.control.execute(() -> bridge.connect(publisher, bridge.publisherOptions, 1));
    return bridge;
  }

  /** The publisher of lifecycle notifications (replies Published after the broker's PUBACK). */
  public ActorRef<NotifierCommand> notifier() {
    return notifier;
  }

  /** True while both connections are up and the inbound one is subscribed. */
  public boolean isConnected() {
    return !closed && subscribed.get() && client.isConnected() && publisher.isConnected();
  }

  public MqttSettings settings() {
    return settings;
  }

  /**
   * Disconnects without acknowledging messages still waiting for their entity: the broker keeps
   * the session and redelivers them to the next bridge with this client id.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    notifier.tell(LifecyclePublisher.Stop.INSTANCE);
    control.shutdownNow();
    disconnect(client);
    disconnect(publisher);
    log.info("MQTT bridge {} closed", settings.clientId());
  }

  private void disconnect(MqttAsyncClient c) {
    try {
      if (c.isConnected()) {
        c.disconnect(500).waitForCompletion(settings.connectTimeout().toMillis());
      }
    } catch (MqttException e) {
      log.warn("MQTT client {} did not disconnect cleanly: {}", c.getClientId(), e.toString());
    }
    try {
      c.close(true);
    } catch (MqttException e) {
      log.warn("MQTT client {} did not close cleanly: {}", c.getClientId(), e.toString());
    }
  }

  /** The first connection of {@code c}; once up, Paho's automatic reconnect takes over. */
  private void connect(MqttAsyncClient c, MqttConnectOptions o, int attempt) {
    if (closed) {
      return;
    }
    try {
      c.connect(o, null, new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          log.info("MQTT client {} connected to {} (session present: {})", c.getClientId(),
              settings.serverUri(), token.getSessionPresent());
        }

        @Override
        public void onFailure(IMqttToken token, Throwable error) {
          connectFailed(c, o, attempt, error);
        }
      });
    } catch (MqttException e) {
      connectFailed(c, o, attempt, e);
    }
  }

  private void connectFailed(MqttAsyncClient c, MqttConnectOptions o, int attempt, Throwable error) {
    if (closed) {
      return;
    }
    Duration delay = backoff(attempt);
    log.warn("MQTT client {} cannot connect to {} (attempt {}): {}; retrying in {} ms", c.getClientId(),
        settings.serverUri(), attempt, error, delay.toMillis());
    schedule(() -> connect(c, o, attempt + 1), delay);
  }

  private void subscribe(int attempt) {
    if (closed || !client.isConnected()) {
      // The next connectComplete subscribes again.
      return;
    }
    int[] qos = new int[filters.length];
    Arrays.fill(qos, settings.qos());
    try {
      if (attempt == 1 && !settings.sharedGroup().isEmpty()) {
        // A persistent session keeps the plain subscriptions of an earlier, unshared run; with
        // both, this node would get every message twice. Fire and forget: the broker processes
        // the UNSUBSCRIBE before the SUBSCRIBE that follows on the same connection.
        client.unsubscribe(plainFilters);
      }
      client.subscribe(filters, qos, null, new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          int[] granted = token.getGrantedQos();
          if (granted != null && Arrays.stream(granted).anyMatch(g -> g == SUBACK_FAILURE)) {
            subscribeFailed(attempt, "the broker refused the subscription (granted " + Arrays.toString(granted) + ")");
          } else {
            subscribed.set(true);
            log.info("MQTT client {} subscribed to {}", settings.clientId(), Arrays.toString(filters));
          }
        }

        @Override
        public void onFailure(IMqttToken token, Throwable error) {
          subscribeFailed(attempt, String.valueOf(error));
        }
      });
    } catch (MqttException e) {
      subscribeFailed(attempt, e.toString());
    }
  }

  private void subscribeFailed(int attempt, String reason) {
    if (closed) {
      return;
    }
    if (attempt >= SUBSCRIBE_ATTEMPTS) {
      log.error("MQTT client {} could not subscribe to {} after {} attempts ({}); the bridge stays not ready "
          + "until the next reconnect", settings.clientId(), Arrays.toString(filters), attempt, reason);
      return;
    }
    Duration delay = backoff(attempt);
    log.warn("MQTT client {} could not subscribe (attempt {}): {}; retrying in {} ms", settings.clientId(),
        attempt, reason, delay.toMillis());
    schedule(() -> subscribe(attempt + 1), delay);
  }

  private void schedule(Runnable task, Duration delay) {
    try {
      control.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed meanwhile: nothing more to do.
    }
  }

  private Duration backoff(int attempt) {
    long ms = FIRST_RETRY.toMillis() << Math.min(attempt - 1, 16);
    return Duration.ofMillis(Math.min(ms, settings.reconnectMaxDelay().toMillis()));
  }

  private void acknowledge(long arrivedOn, int messageId, int qos) {
    if (qos == 0) {
      return;
    }
    if (closed || arrivedOn != connection.get()) {
      log.debug("not acknowledging message {}: its connection is gone, the broker redelivers it", messageId);
      return;
    }
    try {
      client.messageArrivedComplete(messageId, qos);
    } catch (MqttException | RuntimeException e) {
      log.warn("MQTT client {} could not acknowledge message {}: {}", settings.clientId(), messageId, e.toString());
    }
  }

  static MqttConnectOptions connectOptions(MqttSettings settings, boolean cleanSession) {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    // Nagle off, since every inbound QoS 1 message is answered by a small PUBACK; and a topic
    // Paho cannot decode never reaches it, since it would end Paho's receive thread.
    o.setSocketFactory(NoDelaySocketFactory.get());
    o.setCleanSession(cleanSession);
    o.setAutomaticReconnect(true);
    o.setMaxReconnectDelay((int) Math.min(Integer.MAX_VALUE, settings.reconnectMaxDelay().toMillis()));
    o.setMaxInflight(settings.maxInflight());
    o.setKeepAliveInterval((int) Math.max(1, settings.keepAlive().toSeconds()));
    o.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
    if (!settings.username().isEmpty()) {
      o.setUserName(settings.username());
      o.setPassword(settings.password().toCharArray());
    }
    return o;
  }

  /**
   * Paho's callbacks. They run on Paho's threads and must return at once: no publishing, no
   * subscribing, no waiting here. Routing is by topic in messageArrived, which is also the only
   * callback a {@code $share} subscription fires.
   */
  private final class Callback implements MqttCallbackExtended {

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      if (reconnect) {
        log.info("MQTT client {} reconnected to {}", settings.clientId(), serverUri);
      }
      // The broker may have lost the session (restart without persistence): always resubscribe.
      try {
        control.execute(() -> subscribe(1));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Closed meanwhile.
      }
    }

    @Override
    public void connectionLost(Throwable cause) {
      subscribed.set(false);
      connection.incrementAndGet();
      if (!closed) {
        log.warn("MQTT client {} lost the connection to {}: {}; reconnecting", settings.clientId(),
            settings.serverUri(), String.valueOf(cause));
      }
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      long arrivedOn = connection.get();
      int id = message.getId();
      int qos = message.getQos();
      inFlight.incrementAndGet();
      AtomicBoolean answered = new AtomicBoolean();
      Runnable ack = () -> {
        if (answered.compareAndSet(false, true)) {
          inFlight.decrementAndGet();
        }
        acknowledge(arrivedOn, id, qos);
      };
      try {
        router.route(topic, message.getPayload(), ack);
      } catch (RuntimeException e) {
        // An exception escaping this callback would make Paho drop the connection.
        log.error("failed to route the message on topic '{}'; acknowledging it", Ids.printable(topic), e);
        ack.run();
      }
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
      // Nothing is published on this connection.
    }
  }

  /**
   * Callbacks of the outbound connection: only logging. Its publishes in flight when it drops
   * fail (their listeners, in LifecyclePublisher, answer NotPublished) and are forgotten by Paho,
   * since the session is clean.
   */
  private final class PublisherCallback implements MqttCallbackExtended {

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      if (reconnect) {
        log.info("MQTT client {} reconnected to {}", publisher.getClientId(), serverUri);
      }
    }

    @Override
    public void connectionLost(Throwable cause) {
      if (!closed) {
        log.warn("MQTT client {} lost the connection to {}: {}; reconnecting", publisher.getClientId(),
            settings.serverUri(), String.valueOf(cause));
      }
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      // Nothing is subscribed on this connection.
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
      // Each publish carries its own listener (LifecyclePublisher).
    }
  }
}
