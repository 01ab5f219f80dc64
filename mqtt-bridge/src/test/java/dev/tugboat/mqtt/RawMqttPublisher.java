package dev.tugboat.mqtt;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;

/**
 * A minimal MQTT 3.1.1 publisher over a plain socket, for topics Paho refuses to encode: CONNECT,
 * QoS 1 PUBLISH answered by PUBACK, DISCONNECT. Every read waits at most ten seconds.
 */
final class RawMqttPublisher implements AutoCloseable {
  private static final int READ_TIMEOUT_MS = 10_000;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private int nextPacketId = 1;

  RawMqttPublisher(int port, String clientId) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(READ_TIMEOUT_MS);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    out.write(MqttPackets.connect(clientId, 60));
    out.flush();
    byte[] connack = new byte[4];
    in.readFully(connack);
    if (connack[0] != 0x20 || connack[3] != 0) {
      throw new IOException("the broker refused the connection: CONNACK " + java.util.HexFormat.of().formatHex(connack));
    }
  }

  /**
   * Publishes at QoS 1 and waits for the PUBACK: true once acknowledged, false when the broker
   * closed the connection instead (what it does with a topic it refuses).
   */
  boolean publish(byte[] topic, byte[] payload) throws IOException {
    int packetId = nextPacketId++;
    try {
      out.write(MqttPackets.publish(1, false, false, topic, packetId, payload));
      out.flush();
      while (true) {
        int type = in.readUnsignedByte() >>> 4;
        int length = readRemainingLength();
        byte[] body = new byte[length];
        in.readFully(body);
        if (type == 4 && length == 2 && ((body[0] & 0xFF) << 8 | body[1] & 0xFF) == packetId) {
          return true;
        }
      }
    } catch (EOFException | SocketException closed) {
      return false;
    }
  }

  private int readRemainingLength() throws IOException {
    int value = 0;
    for (int i = 0; i < 4; i++) {
      int b = in.readUnsignedByte();
      value |= (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("malformed remaining length from the broker");
  }

  @Override
  public void close() throws IOException {
    try {
      if (!socket.isClosed()) {
        out.write(MqttPackets.disconnect());
        out.flush();
      }
    } catch (IOException alreadyClosed) {
      // The broker closed it first.
    } finally {
      socket.close();
    }
  }
}
