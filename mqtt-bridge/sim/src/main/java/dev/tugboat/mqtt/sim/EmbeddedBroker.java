package dev.tugboat.mqtt.sim;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A HiveMQ CE broker running inside this JVM, for the embedded mode and for tests: one plain TCP
 * listener, anonymous access, no extensions, no usage statistics; sessions in memory, or on disk
 * under the data directory so that they outlive a restart of the broker.
 */
public final class EmbeddedBroker implements AutoCloseable {

  /** Where the broker keeps client sessions, their subscriptions and their queued messages. */
  public enum Persistence {
    /** In memory: a restart forgets every session, subscription and queued message. */
    IN_MEMORY("in-memory"),
    /**
     * On disk under the data directory: a broker started again on the same directory resumes the
     * persistent sessions (clean session false) with their subscriptions and queued QoS 1 messages.
     */
    FILE("file");

    private final String mode;

    Persistence(String mode) {
      this.mode = mode;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);
  private static final long START_TIMEOUT_SECONDS = 60;
  private static final long STOP_TIMEOUT_SECONDS = 30;
  /** HiveMQ's own grace for its persistence at a stop, kept for sessions on disk (and any other HiveMQ). */
  private static final int FILE_SHUTDOWN_GRACE_MILLIS =
      InternalConfigurations.PERSISTENCE_SHUTDOWN_GRACE_PERIOD_MSEC.get();
  /**
   * The grace for sessions in memory: it lets queued writes reach a store that the stop discards
   * anyway, and would add two seconds to every stop (each test's broker, the embedded mode).
   */
  private static final int IN_MEMORY_SHUTDOWN_GRACE_MILLIS = 50;

  private final EmbeddedHiveMQ hivemq;
  private final String host;
  private final int port;
  private final Persistence persistence;

  private EmbeddedBroker(EmbeddedHiveMQ hivemq, String host, int port, Persistence persistence) {
    this.hivemq = hivemq;
    this.host = host;
    this.port = port;
    this.persistence = persistence;
  }

  /**
   * Starts the broker listening on host:port (port 0: a free port) with its configuration under
   * {@code dataDir} and its sessions in memory; returns once it accepts connections.
   */
  public static EmbeddedBroker start(String host, int port, Path dataDir) {
    return start(host, port, dataDir, Persistence.IN_MEMORY);
  }

  /**
   * Starts the broker listening on host:port (port 0: a free port) with its configuration and
   * data under {@code dataDir}, keeping sessions as {@code persistence} says; returns once it
   * accepts connections.
   */
  public static EmbeddedBroker start(String host, int port, Path dataDir, Persistence persistence) {
    int actualPort = port == 0 ? freePort(host) : port;
    Path config = dataDir.resolve("conf");
    Path data = dataDir.resolve("data");
    Path extensions = dataDir.resolve("extensions");
    try {
      Files.createDirectories(config);
      Files.createDirectories(data);
      Files.createDirectories(extensions);
      Files.writeString(config.resolve("config.xml"), configXml(host, actualPort, persistence), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the embedded broker's folders under " + dataDir, e);
    }
    EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(config)
        .withDataFolder(data)
        .withExtensionsFolder(extensions)
        .build();
    try {
      // HiveMQ reads its persistence's stop grace from a JVM-wide setting while it starts; any
      // other HiveMQ of this JVM finds HiveMQ's own value there.
      synchronized (EmbeddedBroker.class) {
        InternalConfigurations.PERSISTENCE_SHUTDOWN_GRACE_PERIOD_MSEC.set(persistence == Persistence.IN_MEMORY
            ? IN_MEMORY_SHUTDOWN_GRACE_MILLIS : FILE_SHUTDOWN_GRACE_MILLIS);
        try {
          hivemq.start().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } finally {
          InternalConfigurations.PERSISTENCE_SHUTDOWN_GRACE_PERIOD_MSEC.set(FILE_SHUTDOWN_GRACE_MILLIS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(hivemq);
      throw new IllegalStateException("interrupted while starting the embedded MQTT broker", e);
    } catch (ExecutionException | TimeoutException e) {
      closeQuietly(hivemq);
      throw new IllegalStateException("the embedded MQTT broker did not start on " + host + ":" + actualPort
          + ": " + (e.getCause() == null ? e : e.getCause()), e);
    }
    log.info("embedded MQTT broker (HiveMQ CE) listening on {}:{}, sessions {}", host, actualPort, persistence.mode);
    return new EmbeddedBroker(hivemq, host, actualPort, persistence);
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /**
   * Stops the broker; sessions kept in memory are gone afterwards, sessions on disk stay. While the
   * JVM runs its shutdown hooks (the process ends) a broker with sessions in memory is only asked to
   * stop: nothing of it outlives the process, and HiveMQ's graceful stop (the two-second quiet
   * period of its network threads) would add seconds to every stop of the embedded mode.
   */
  @Override
  public void close() {
    if (persistence == Persistence.IN_MEMORY && jvmExiting()) {
      hivemq.stop();
      log.info("embedded MQTT broker on {}:{} asked to stop; the process ends", host, port);
      return;
    }
    try {
      hivemq.stop().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("the embedded MQTT broker on {}:{} did not stop cleanly: {}", host, port, e.toString());
    } finally {
      closeQuietly(hivemq);
    }
    log.info("embedded MQTT broker on {}:{} stopped", host, port);
  }

  /** Whether this JVM is running its shutdown hooks: it refuses new ones then. */
  private static boolean jvmExiting() {
    Thread probe = new Thread(() -> { });
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  private static void closeQuietly(EmbeddedHiveMQ hivemq) {
    try {
      hivemq.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | RuntimeException e) {
      log.debug("closing the embedded MQTT broker: {}", e.toString());
    }
  }

  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + host, e);
    }
  }

  /**
   * The HiveMQ config.xml of this broker: one TCP listener, sessions in memory, no statistics.
   * Public for tests that start HiveMQ themselves, with an extension of their own.
   */
  public static String configXml(String host, int port) {
    return configXml(host, port, Persistence.IN_MEMORY);
  }

  /** The HiveMQ config.xml of this broker: one TCP listener, the given persistence, no statistics. */
  public static String configXml(String host, int port, Persistence persistence) {
    return """
        <?xml version="1.0"?>
        <hivemq>
          <listeners>
            <tcp-listener>
              <port>%d</port>
              <bind-address>%s</bind-address>
            </tcp-listener>
          </listeners>
          <persistence>
            <mode>%s</mode>
          </persistence>
          <mqtt>
            <queued-messages>
              <!-- HiveMQ's default of 1000 silently discards QoS 1 messages for a subscriber that
                   lags behind, e.g. an SO receiving the terminations of a 10,000-model simulation. -->
              <max-queue-size>1000000</max-queue-size>
            </queued-messages>
          </mqtt>
          <anonymous-usage-statistics>
            <enabled>false</enabled>
          </anonymous-usage-statistics>
        </hivemq>
        """.formatted(port, escapeXml(host), persistence.mode);
  }

  private static String escapeXml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
