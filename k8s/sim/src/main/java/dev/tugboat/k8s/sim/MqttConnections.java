package dev.tugboat.k8s.sim;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shared Paho connection per broker address and credentials, on which every fake model
 * publishes as itself: thousands of fake models cost one connection, not thousands. A connection
 * that never came up is forgotten, so the next model tries again; one that was up and dropped
 * (a broker restart) reconnects by itself, at most RECONNECT_MAX_DELAY_MS after the broker is back.
 */
final class MqttConnections implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MqttConnections.class);

  /** Where to connect and as whom. */
  record Broker(String host, int port, String username, String password) {
    String uri() {
      return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private static final int RECONNECT_MAX_DELAY_MS = 2_000;

  private final Map<Broker, CompletableFuture<IMqttAsyncClient>> clients = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** The connected client for this broker; fails when the broker cannot be reached. */
  CompletableFuture<IMqttAsyncClient> connection(Broker broker) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the simulated kubelet is closed"));
    }
    return clients.compute(broker, (b, existing) ->
        existing != null && !existing.isCompletedExceptionally() ? existing : connect(b));
  }

  /** Publishes and completes when the broker acknowledged (QoS 1) or the publish failed. */
  static CompletableFuture<Void> publish(IMqttAsyncClient client, String topic, byte[] payload, int qos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      client.publish(topic, payload, qos, false, null, listener(done, null));
    } catch (MqttException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /** True when a publish failed because the connection is down or dropped before its acknowledgement. */
  static boolean connectionDown(MqttException e) {
    int code = e.getReasonCode();
    return code == MqttException.REASON_CODE_CONNECTION_LOST
        || code == MqttException.REASON_CODE_CLIENT_NOT_CONNECTED
        || code == MqttException.REASON_CODE_CLIENT_DISCONNECTING
        || code == MqttException.REASON_CODE_CONNECT_IN_PROGRESS;
  }

  private CompletableFuture<IMqttAsyncClient> connect(Broker b) {
    CompletableFuture<IMqttAsyncClient> f = new CompletableFuture<>();
    try {
      MqttAsyncClient client = new MqttAsyncClient(b.uri(), "tugboat-sim-models-" + UUID.randomUUID(),
          new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(true);
      o.setAutomaticReconnect(true);
      // Paho's default backoff grows to 128 s; models waiting to send must not wait that long.
      o.setMaxReconnectDelay(RECONNECT_MAX_DELAY_MS);
      o.setConnectionTimeout(10);
      o.setKeepAliveInterval(30);
      // Many models publish at once; Paho's default of 10 unacknowledged messages is far too few.
      o.setMaxInflight(20_000);
      if (!b.username().isEmpty()) {
        o.setUserName(b.username());
        o.setPassword(b.password().toCharArray());
      }
      client.connect(o, null, listener(f, client));
      f.whenComplete((c, e) -> {
        if (e != null) {
          clients.remove(b, f);
          closeQuietly(client);
        }
      });
    } catch (MqttException e) {
      f.completeExceptionally(e);
      clients.remove(b, f);
    }
    return f;
  }

  /** Completes the future from Paho's callback thread, and does nothing else there. */
  private static <T> IMqttActionListener listener(CompletableFuture<T> f, T value) {
    return new IMqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        f.complete(value);
      }

      @Override
      public void onFailure(IMqttToken token, Throwable e) {
        f.completeExceptionally(e != null ? e : new MqttException(MqttException.REASON_CODE_CLIENT_EXCEPTION));
      }
    };
  }

  @Override
  public void close() {
    closed = true;
    clients.values().forEach(f -> f.thenAccept(MqttConnections::closeQuietly));
    clients.clear();
  }

  private static void closeQuietly(IMqttAsyncClient c) {
    try {
      if (c.isConnected()) {
        c.disconnectForcibly(0, 1000);
      }
      c.close();
    } catch (MqttException e) {
      LOG.debug("closing the fake models' MQTT connection: {}", e.toString());
    }
  }
}
