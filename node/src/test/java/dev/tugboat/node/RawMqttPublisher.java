package dev.tugboat.node;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * A minimal MQTT 3.1.1 publisher over a plain socket, for topics Paho refuses to encode (a 4-byte
 * UTF-8 character): CONNECT with a clean session, QoS 1 PUBLISH answered by PUBACK, DISCONNECT.
 * Every read waits at most ten seconds. mqtt-bridge has its own; its test classes are not on this
 * module's classpath.
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
    out.write(connect(clientId, 60));
    out.flush();
    byte[] connack = new byte[4];
    in.readFully(connack);
    if (connack[0] != 0x20 || connack[3] != 0) {
      throw new IOException("the broker refused the connection: CONNACK " + HexFormat.of().formatHex(connack));
    }
  }

  /**
   * Publishes at QoS 1 and waits for the PUBACK: true once acknowledged, false when the broker
   * closed the connection instead (what it does with a topic it refuses).
   */
  boolean publish(byte[] topic, byte[] payload) throws IOException {
    int packetId = nextPacketId++;
    try {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(topic.length >>> 8);
      body.write(topic.length & 0xFF);
      body.writeBytes(topic);
      body.write(packetId >>> 8);
      body.write(packetId & 0xFF);
      body.writeBytes(payload);
      out.write(packet(0x32, body.toByteArray()));
      out.flush();
      while (true) {
        int type = in.readUnsignedByte() >>> 4;
        int length = readRemainingLength();
        byte[] reply = new byte[length];
        in.readFully(reply);
        if (type == 4 && length == 2 && ((reply[0] & 0xFF) << 8 | reply[1] & 0xFF) == packetId) {
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

  private static byte[] connect(String clientId, int keepAliveSeconds) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeString(body, "MQTT");
    body.write(4); // protocol level 3.1.1
    body.write(0x02); // clean session
    body.write(keepAliveSeconds >>> 8);
    body.write(keepAliveSeconds & 0xFF);
    writeString(body, clientId);
    return packet(0x10, body.toByteArray());
  }

  private static byte[] packet(int firstByte, byte[] body) {
    ByteArrayOutputStream p = new ByteArrayOutputStream(body.length + 5);
    p.write(firstByte);
    int length = body.length;
    do {
      int digit = length & 0x7F;
      length >>>= 7;
      p.write(length > 0 ? digit | 0x80 : digit);
    } while (length > 0);
    p.writeBytes(body);
    return p.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >>> 8);
    out.write(b.length & 0xFF);
    out.writeBytes(b);
  }

  @Override
  public void close() throws IOException {
    try {
      if (!socket.isClosed()) {
        out.write(new byte[] {(byte) 0xE0, 0});
        out.flush();
      }
    } catch (IOException alreadyClosed) {
      // The broker closed it first.
    } finally {
      socket.close();
    }
  }
}
