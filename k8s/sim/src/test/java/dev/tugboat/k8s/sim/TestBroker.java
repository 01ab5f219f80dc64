package dev.tugboat.k8s.sim;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * HiveMQ CE embedded on 127.0.0.1 and a free port, configured through a temporary config.xml;
 * sessions in memory, or on disk so that they outlive {@link #stop()} and {@link #start()}.
 */
final class TestBroker implements AutoCloseable {
  final int port;
  private final Path conf;
  private final Path data;
  private final Path extensions;
  private EmbeddedHiveMQ hivemq;

  TestBroker(Path dir) throws Exception {
    this(dir, false);
  }

  TestBroker(Path dir, boolean sessionsOnDisk) throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      port = s.getLocalPort();
    }
    conf = Files.createDirectories(dir.resolve("conf"));
    data = Files.createDirectories(dir.resolve("data"));
    extensions = Files.createDirectories(dir.resolve("extensions"));
    Files.writeString(conf.resolve("config.xml"), """
        <?xml version="1.0"?>
        <hivemq>
          <listeners>
            <tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address></tcp-listener>
          </listeners>
          <persistence><mode>%s</mode></persistence>
          <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
        </hivemq>
        """.formatted(port, sessionsOnDisk ? "file" : "in-memory"));
    start();
  }

  /** Starts the broker on its port (again, after {@link #stop()}). */
  void start() throws Exception {
    hivemq = EmbeddedHiveMQ.builder().withConfigurationFolder(conf).withDataFolder(data)
        .withExtensionsFolder(extensions).build();
    hivemq.start().get(60, TimeUnit.SECONDS);
  }

  /** Stops the broker: every client is disconnected; sessions on disk stay for the next start. */
  void stop() throws Exception {
    EmbeddedHiveMQ h = hivemq;
    hivemq = null;
    if (h != null) {
      h.stop().get(30, TimeUnit.SECONDS);
      h.close();
    }
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
