package dev.tugboat.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;

/**
 * A plain TCP socket whose input stream is an {@link InboundTopicGuard}, so that Paho never
 * reads a topic it cannot decode. One guard per socket: it holds the framing of the stream.
 */
final class TopicGuardedSocket extends Socket {
  private InputStream guarded;

  TopicGuardedSocket() {}

  TopicGuardedSocket(String host, int port) throws IOException {
    super(host, port);
  }

  TopicGuardedSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    super(host, port, localHost, localPort);
  }

  TopicGuardedSocket(InetAddress host, int port) throws IOException {
    super(host, port);
  }

  TopicGuardedSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
    super(address, port, localAddress, localPort);
  }

  @Override
  public synchronized InputStream getInputStream() throws IOException {
    if (guarded == null) {
      guarded = new InboundTopicGuard(super.getInputStream(), String.valueOf(getRemoteSocketAddress()));
    }
    return guarded;
  }
}
