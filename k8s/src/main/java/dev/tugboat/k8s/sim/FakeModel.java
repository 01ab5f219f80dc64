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
 * hidden) and "Model booting..."; EXIT_CODE 1 exits 1 before ReadyForProcessing; otherwise it
 * publishes an empty ReadyForProcessing (QoS 1) to
 * {@code /lifecycle/model/mso/{SIMULATION_ID}/{MODEL_ID}/ReadyForProcessing}; EXIT_CODE 2 exits 2
 * right after; otherwise it runs for the run time (FAKE_MODEL_RUN_SECONDS, else the kubelet's
 * default) and exits 0. An unreachable broker makes it exit 1. It never holds a thread while it
 * waits: timers run on the shared scheduler.
 */
public final class FakeModel {

  /** Whether the simulated kubelet runs an image as the fake model. */
  public static boolean isFakeModelImage(String image) {
    if (image == null) {
      return false;
    }
    String repository = image.substring(image.lastIndexOf('/') + 1);
    return repository.startsWith("fake_model");
  }

  private static final int MAX_INFLIGHT_RETRIES = 200;

  private final Map<String, String> env;
  private final Duration defaultRunTime;
  private final ScheduledExecutorService scheduler;
  private final MqttConnections mqtt;
  private final Consumer<String> log;
  private final IntConsumer onExit;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile ScheduledFuture<?> timer;

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
    String topic = "/lifecycle/model/mso/" + simulationId + "/" + modelId + "/ReadyForProcessing";
    byte[] payload = Lifecycle.ReadyForProcessing.getDefaultInstance().toByteArray();
    mqtt.connection(new MqttConnections.Broker(host, port, username, password))
        .thenCompose(client -> publishWithRoom(client, topic, payload, 0))
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
          Duration run = runTime();
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

  /** Paho refuses publishes beyond its in-flight window; wait a moment and try again, a bounded number of times. */
  private CompletableFuture<Void> publishWithRoom(
      IMqttAsyncClient client, String topic, byte[] payload, int attempt) {
    return MqttConnections.publish(client, topic, payload, 1)
        .handle((v, e) -> {
          if (e == null) {
            return CompletableFuture.<Void>completedFuture(null);
          }
          if (e instanceof MqttException me && me.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT
              && attempt < MAX_INFLIGHT_RETRIES && !ended.get()) {
            CompletableFuture<Void> later = new CompletableFuture<>();
            scheduler.schedule(() -> publishWithRoom(client, topic, payload, attempt + 1).whenComplete((v2, e2) -> {
              if (e2 != null) {
                later.completeExceptionally(e2);
              } else {
                later.complete(null);
              }
            }), 20, TimeUnit.MILLISECONDS);
            return later;
          }
          return CompletableFuture.<Void>failedFuture(e);
        })
        .thenCompose(f -> f);
  }

  private Duration runTime() {
    String s = env.get("FAKE_MODEL_RUN_SECONDS");
    if (s != null) {
      try {
        double seconds = Double.parseDouble(s.trim());
        if (seconds >= 0) {
          return Duration.ofMillis((long) (seconds * 1000));
        }
      } catch (NumberFormatException e) {
        log.accept("ignoring FAKE_MODEL_RUN_SECONDS '" + s + "': not a number");
      }
    }
    return defaultRunTime;
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
