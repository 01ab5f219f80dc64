package dev.tugboat.mqtt;

import java.io.ByteArrayOutputStream;

/** MQTT 3.1.1 packets built byte by byte, so that tests can send what Paho refuses to encode. */
final class MqttPackets {

  private MqttPackets() {}

  /** A PUBLISH with the topic given as raw bytes; the packet id is written for QoS 1 and 2 only. */
  static byte[] publish(int qos, boolean dup, boolean retain, byte[] topic, int packetId, byte[] payload) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(topic.length >>> 8);
    body.write(topic.length & 0xFF);
    body.writeBytes(topic);
    if (qos > 0) {
      body.write(packetId >>> 8);
      body.write(packetId & 0xFF);
    }
    body.writeBytes(payload);
    return packet(0x30 | (dup ? 0x08 : 0) | qos << 1 | (retain ? 1 : 0), body.toByteArray());
  }

  /** A packet of the given first byte (type and flags) and body, its remaining length encoded. */
  static byte[] packet(int firstByte, byte[] body) {
    ByteArrayOutputStream p = new ByteArrayOutputStream(body.length + 5);
    p.write(firstByte);
    p.writeBytes(remainingLength(body.length));
    p.writeBytes(body);
    return p.toByteArray();
  }

  static byte[] remainingLength(int length) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(4);
    do {
      int digit = length & 0x7F;
      length >>>= 7;
      b.write(length > 0 ? digit | 0x80 : digit);
    } while (length > 0);
    return b.toByteArray();
  }

  /** A CONNECT of an MQTT 3.1.1 client with a clean session and no credentials. */
  static byte[] connect(String clientId, int keepAliveSeconds) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeString(body, "MQTT");
    body.write(4); // protocol level 3.1.1
    body.write(0x02); // clean session
    body.write(keepAliveSeconds >>> 8);
    body.write(keepAliveSeconds & 0xFF);
    writeString(body, clientId);
    return packet(0x10, body.toByteArray());
  }

  static byte[] disconnect() {
    return new byte[] {(byte) 0xE0, 0};
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.write(b.length >>> 8);
    out.write(b.length & 0xFF);
    out.writeBytes(b);
  }
}
