package dev.tugboat.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;

/**
 * The sockets the bridge gives Paho for its {@code tcp://} connections: Nagle's algorithm off
 * (TCP_NODELAY), and the bytes from the broker read through an {@link InboundTopicGuard}
 * ({@link TopicGuardedSocket}). Paho leaves Nagle on; each QoS 1 message it receives is then
 * answered by a 4-byte PUBACK that the kernel holds until the broker has acknowledged the
 * previous segment, which the broker delays, and that bounds the inbound rate of one subscriber
 * (docs/benchmarks.md, bench, "Why the figures look like this").
 */
public final class NoDelaySocketFactory extends SocketFactory {
  private static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();

  private NoDelaySocketFactory() {}

  public static NoDelaySocketFactory get() {
    return INSTANCE;
  }

  /** The one Paho calls: an unconnected socket that it connects itself, with its timeout. */
  @Override
  public Socket createSocket() throws IOException {
    return noDelay(new TopicGuardedSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return noDelay(new TopicGuardedSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return noDelay(new TopicGuardedSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return noDelay(new TopicGuardedSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return noDelay(new TopicGuardedSocket(address, port, localAddress, localPort));
  }

  private static Socket noDelay(Socket socket) throws SocketException {
    socket.setTcpNoDelay(true);
    return socket;
  }
}
