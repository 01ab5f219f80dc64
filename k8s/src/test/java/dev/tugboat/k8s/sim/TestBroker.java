package dev.tugboat.k8s.sim;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** HiveMQ CE embedded on 127.0.0.1 and a free port, configured through a temporary config.xml. */
final class TestBroker implements AutoCloseable {
  final int port;
  private final EmbeddedHiveMQ hivemq;

  TestBroker(Path dir) throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      port = s.getLocalPort();
    }
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Path data = Files.createDirectories(dir.resolve("data"));
    Path extensions = Files.createDirectories(dir.resolve("extensions"));
    Files.writeString(conf.resolve("config.xml"), """
        <?xml version="1.0"?>
        <hivemq>
          <listeners>
            <tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address></tcp-listener>
          </listeners>
          <persistence><mode>in-memory</mode></persistence>
          <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
        </hivemq>
        """.formatted(port));
    hivemq = EmbeddedHiveMQ.builder().withConfigurationFolder(conf).withDataFolder(data)
        .withExtensionsFolder(extensions).build();
    hivemq.start().get(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    hivemq.stop().get(30, TimeUnit.SECONDS);
    hivemq.close();
  }

}
