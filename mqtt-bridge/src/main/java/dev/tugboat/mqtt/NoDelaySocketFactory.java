package dev.tugboat.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets with Nagle's algorithm off (TCP_NODELAY), for Paho's {@code tcp://}
 * connections. Paho leaves Nagle on. Each QoS 1 message it receives is then answered by a
 * 4-byte PUBACK that the kernel holds until the broker has acknowledged the previous segment,
 * and the broker delays that acknowledgement. One subscriber then got about 1,130 messages a
 * second from the embedded HiveMQ, however fast they were published. Through this factory it got
 * 11,787 and 20,527 (docs/benchmarks.md, twelfth session).
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
    return noDelay(new Socket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return noDelay(new Socket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return noDelay(new Socket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return noDelay(new Socket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return noDelay(new Socket(address, port, localAddress, localPort));
  }

  private static Socket noDelay(Socket socket) throws SocketException {
    socket.setTcpNoDelay(true);
    return socket;
  }
}
