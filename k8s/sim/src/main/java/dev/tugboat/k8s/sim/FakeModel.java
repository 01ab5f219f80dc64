package dev.tugboat.k8s.sim;

import dev.tugboat.protocol.dots.Lifecycle;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * The DOTS fake model, run in process by the simulated kubelet: prints its settings (password
 * hidden) and "Model booting..."; EXIT_CODE 1 exits 1 before ReadyForProcessing; otherwise, after
 * its boot time (FAKE_MODEL_BOOT_SECONDS, default 0), it publishes an empty ReadyForProcessing
 * (QoS 1) to {@code /lifecycle/model/mso/{SIMULATION_ID}/{MODEL_ID}/ReadyForProcessing}; EXIT_CODE
 * 2 exits 2 right after; otherwise it runs for the run time (FAKE_MODEL_RUN_SECONDS, else the
 * kubelet's default) and exits 0. A broker that cannot be reached when the model first connects
 * makes it exit 1. A connection that drops before the broker acknowledged ReadyForProcessing
 * (a broker restart) does not: the model sends it again once the shared connection is back, for
 * up to {@link #BROKER_PATIENCE}, then exits 1. It never holds a thread while it waits: timers run
 * on the shared scheduler.
 */
public final class FakeModel {

  private static final int MAX_INFLIGHT_RETRIES = 200;
  /** How long a model keeps re-sending ReadyForProcessing while the broker connection is down. */
  static final Duration BROKER_PATIENCE = Duration.ofSeconds(60);
  private static final Duration RESEND_INTERVAL = Duration.ofMillis(200);

  private final Map<String, String> env;
  private final Duration defaultRunTime;
  private final ScheduledExecutorService scheduler;
  private final MqttConnections mqtt;
  private final Consumer<String> log;
  private final IntConsumer onExit;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile ScheduledFuture<?> timer;
  private volatile boolean reportedConnectionDown;

  FakeModel(Map<String, String> env, Duration defaultRunTime, ScheduledExecutorService scheduler,
            MqttConnections mqtt, Consumer<String> log, IntConsumer onExit) {
    this.env = Map.copyOf(env);
    this.defaultRunTime = defaultRunTime;
    this.scheduler = scheduler;
    this.mqtt = mqtt;
    this.log = log;
    this.onExit = onExit;
  }

  void start() {
    String host = env.getOrDefault("MQTT_HOST", "localhost");
    String portText = env.getOrDefault("MQTT_PORT", "1883");
    String username = env.getOrDefault("MQTT_USERNAME", "");
    String password = env.getOrDefault("MQTT_PASSWORD", "");
    String simulatorId = env.getOrDefault("SIMULATOR_ID", "");
    String simulationId = env.getOrDefault("SIMULATION_ID", "");
    String modelId = env.getOrDefault("MODEL_ID", "");
    int exitCode = parseInt(env.getOrDefault("EXIT_CODE", "0"), 0);
    log.accept("MQTT_HOST: " + host);
    log.accept("MQTT_PORT: " + portText);
    log.accept("MQTT_USERNAME: " + username);
    log.accept("MQTT_PASSWORD: " + (password.isEmpty() ? "" : "********"));
    log.accept("SIMULATOR_ID: " + simulatorId);
    log.accept("SIMULATION_ID: " + simulationId);
    log.accept("MODEL_ID: " + modelId);
    log.accept("EXIT_CODE: " + exitCode);
    log.accept("Model booting...");
    if (exitCode == 1) {
      log.accept("Exiting with exit code 1 before sending ReadyForProcessing");
      exit(1);
      return;
    }
    int port = parseInt(portText, -1);
    if (port <= 0 || port > 65535) {
      log.accept("ERROR: MQTT_PORT '" + portText + "' is not a port");
      exit(1);
      return;
    }
    Duration boot = seconds("FAKE_MODEL_BOOT_SECONDS", Duration.ZERO);
    if (boot.isZero()) {
      sendReady(new MqttConnections.Broker(host, port, username, password), simulationId, modelId, exitCode);
    } else {
      log.accept("Booting for " + boot.toMillis() / 1000.0 + " s");
      timer = scheduler.schedule(() -> {
        if (!ended.get()) {
          sendReady(new MqttConnections.Broker(host, port, username, password), simulationId, modelId, exitCode);
        }
      }, boot.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void sendReady(MqttConnections.Broker broker, String simulationId, String modelId, int exitCode) {
    String host = broker.host();
    int port = broker.port();
    String topic = "/lifecycle/model/mso/" + simulationId + "/" + modelId + "/ReadyForProcessing";
    byte[] payload = Lifecycle.ReadyForProcessing.getDefaultInstance().toByteArray();
    mqtt.connection(broker)
        .thenCompose(client -> publishReady(client, topic, payload, 0, System.nanoTime() + BROKER_PATIENCE.toNanos()))
        .whenCompleteAsync((v, e) -> {
          if (e != null) {
            Throwable cause = e.getCause() != null && e instanceof CompletionException ? e.getCause() : e;
            log.accept("ERROR: could not send ReadyForProcessing to " + host + ":" + port + ": " + cause);
            exit(1);
            return;
          }
          log.accept("Sent ReadyForProcessing to " + topic);
          if (exitCode == 2) {
            log.accept("Exiting with exit code 2 after sending ReadyForProcessing");
            exit(2);
            return;
          }
          Duration run = seconds("FAKE_MODEL_RUN_SECONDS", defaultRunTime);
          log.accept("Working for " + run.toMillis() / 1000.0 + " s");
          timer = scheduler.schedule(() -> {
            log.accept("Model finished");
            exit(0);
          }, run.toMillis(), TimeUnit.MILLISECONDS);
        }, scheduler);
  }

  /** The container is killed (its pod was deleted): no exit is reported. */
  void stop() {
    ended.set(true);
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
  }

  /**
   * Publishes ReadyForProcessing and completes once the broker acknowledged it. Paho refuses
   * publishes beyond its in-flight window: wait a moment and try again, at most
   * MAX_INFLIGHT_RETRIES times ({@code attempt} counts these). A connection that is down, or drops before the acknowledgement, is retried every
   * RESEND_INTERVAL until {@code giveUpAtNanos} (Paho reconnects on its own meanwhile); a second
   * copy is harmless, the MSO handles ReadyForProcessing idempotently.
   */
  private CompletableFuture<Void> publishReady(
      IMqttAsyncClient client, String topic, byte[] payload, int attempt, long giveUpAtNanos) {
    return MqttConnections.publish(client, topic, payload, 1)
        .handle((v, e) -> {
          if (e == null) {
            return CompletableFuture.<Void>completedFuture(null);
          }
          Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (ended.get() || !(cause instanceof MqttException me)) {
            return CompletableFuture.<Void>failedFuture(cause);
          }
          Duration delay;
          int nextAttempt = attempt;
          if (me.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT && attempt < MAX_INFLIGHT_RETRIES) {
            delay = Duration.ofMillis(20);
            nextAttempt = attempt + 1;
          } else if (MqttConnections.connectionDown(me) && System.nanoTime() < giveUpAtNanos) {
            if (!reportedConnectionDown) {
              reportedConnectionDown = true;
              log.accept("MQTT connection to the broker is down (" + me.getMessage()
                  + "); sending ReadyForProcessing again once it is back");
            }
            delay = RESEND_INTERVAL;
          } else {
            return CompletableFuture.<Void>failedFuture(me);
          }
          int retryAttempt = nextAttempt;
          CompletableFuture<Void> later = new CompletableFuture<>();
          scheduler.schedule(() -> publishReady(client, topic, payload, retryAttempt, giveUpAtNanos)
              .whenComplete((v2, e2) -> {
                if (e2 != null) {
                  later.completeExceptionally(e2);
                } else {
                  later.complete(null);
                }
              }), delay.toMillis(), TimeUnit.MILLISECONDS);
          return later;
        })
        .thenCompose(f -> f);
  }

  private Duration seconds(String variable, Duration fallback) {
    String s = env.get(variable);
    if (s != null) {
      try {
        double seconds = Double.parseDouble(s.trim());
        if (seconds >= 0) {
          return Duration.ofMillis((long) (seconds * 1000));
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      log.accept("ignoring " + variable + " '" + s + "': not a number of seconds");
    }
    return fallback;
  }

  private void exit(int code) {
    if (ended.compareAndSet(false, true)) {
      onExit.accept(code);
    }
  }

  private static int parseInt(String s, int fallback) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
