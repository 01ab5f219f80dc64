package dev.tugboat.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoDelaySocketFactoryTest {

  @Test
  void theUnconnectedSocketPahoAsksForHasNagleOffAndKeepsItOnceConnected() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
         Socket socket = NoDelaySocketFactory.get().createSocket()) {
      assertTrue(socket.getTcpNoDelay());
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5_000);
      try (Socket accepted = server.accept()) {
        assertTrue(socket.isConnected());
        assertTrue(socket.getTcpNoDelay());
      }
    }
  }

  @Test
  void everyConnectingVariantHasNagleOff() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket(0, 8, loopback)) {
      int port = server.getLocalPort();
      NoDelaySocketFactory f = NoDelaySocketFactory.get();
      for (Socket s : new Socket[] {f.createSocket(loopback.getHostAddress(), port), f.createSocket(loopback, port),
          f.createSocket(loopback.getHostAddress(), port, loopback, 0), f.createSocket(loopback, port, loopback, 0)}) {
        try (s; Socket accepted = server.accept()) {
          assertTrue(s.getTcpNoDelay(), s.toString());
        }
      }
    }
  }

  @Test
  void theBytesFromTheBrokerAreReadThroughOneTopicGuardPerSocket() throws IOException, MqttException {
    byte[] bad = MqttPackets.publish(1, false, false, "sim\uD83D\uDE80".getBytes(StandardCharsets.UTF_8), 5,
        new byte[] {1, 2, 3});
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
         Socket socket = NoDelaySocketFactory.get().createSocket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5_000);
      try (Socket broker = server.accept()) {
        broker.getOutputStream().write(bad);
        broker.shutdownOutput();
        InputStream in = socket.getInputStream();
        assertSame(in, socket.getInputStream());
        MqttPublish read = (MqttPublish) MqttWireMessage.createWireMessage(in.readAllBytes());
        assertEquals(InboundTopicGuard.REPLACEMENT_TOPIC, read.getTopicName());
        assertEquals(5, read.getMessageId());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void bothOfTheBridgesConnectionsUseIt(boolean cleanSession) {
    MqttSettings settings = MqttSettings.fromConfig(ConfigFactory.defaultReference().resolve());
    MqttConnectOptions options = MqttBridge.connectOptions(settings, cleanSession);
    assertSame(NoDelaySocketFactory.get(), options.getSocketFactory());
  }
}
