package dev.tugboat.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.tugboat.protocol.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class InboundTopicGuardTest {
  private static final String GOOD_TOPIC = "/lifecycle/dots-so/mso/sim02-abc/DeployModels";
  private static final byte[] CONNACK = {0x20, 0x02, 0x00, 0x00};
  private static final long SEED = 20240611L;

  /** How the socket hands the bytes over. */
  enum Fragments { ONE_BYTE, WHOLE, RANDOM }

  @ParameterizedTest
  @EnumSource(Fragments.class)
  void everyPacketWithACarriableTopicPassesByteForByte(Fragments fragments) throws IOException {
    Random random = new Random(SEED);
    byte[] stream = concat(mixOfPackets(random));
    byte[] read = readAll(new InboundTopicGuard(new SocketBytes(stream, fragments, random, 0), "test"), random);
    assertArrayEquals(stream, read);
  }

  @Test
  void timeoutsAnywhereInAFrameLeaveTheFramingIntact() throws IOException {
    Random random = new Random(SEED);
    byte[] bad = badPublish("/lifecycle/dots-so/mso/sim\uD83D\uDE80/DeployModels".getBytes(UTF_8), 300);
    byte[] stream = concat(CONNACK, publish(1, GOOD_TOPIC, 7, 20_000), bad, publish(0, GOOD_TOPIC, 0, 10));
    // A socket timeout every third read, as Paho's SO_TIMEOUT gives while the broker is slow.
    byte[] read = readAll(new InboundTopicGuard(new SocketBytes(stream, Fragments.RANDOM, random, 3), "test"), random);
    assertArrayEquals(concat(CONNACK, publish(1, GOOD_TOPIC, 7, 20_000), rewrite(bad, 300),
        publish(0, GOOD_TOPIC, 0, 10)), read);
  }

  static Stream<Arguments> badTopics() {
    String sim = "/lifecycle/dots-so/mso/sim";
    String kind = "/DeployModels";
    return Stream.of(
        arguments("U+1F680, a surrogate pair", utf8(sim + "\uD83D\uDE80" + kind)),
        arguments("NUL", utf8(sim + "\u0000" + kind)),
        arguments("BEL", utf8(sim + "\u0007" + kind)),
        arguments("LF", utf8(sim + "\n" + kind)),
        arguments("DEL U+007F", utf8(sim + "\u007F" + kind)),
        arguments("NEL U+0085", utf8(sim + "\u0085" + kind)),
        arguments("noncharacter U+FFFE", utf8(sim + "\uFFFE" + kind)),
        arguments("noncharacter U+FDD0", utf8(sim + "\uFDD0" + kind)),
        arguments("only a NUL", utf8("\u0000")),
        // Java decodes malformed UTF-8 to U+FFFD, which Paho refuses with everything from U+FDD0 up.
        arguments("ED A0 BD, an encoded lone high surrogate", bytes(sim, "EDA0BD", kind)),
        arguments("C0 AF, an overlong '/'", bytes(sim, "C0AF", kind)),
        arguments("E0 80 AF, an overlong '/'", bytes(sim, "E080AF", kind)),
        arguments("FF, never in UTF-8", bytes(sim, "FF", kind)),
        arguments("F0 9F 9A, a truncated sequence", bytes(sim, "F09F9A", kind)),
        arguments("noncharacter U+FFFF", utf8(sim + "\uFFFF" + kind)),
        arguments("fullwidth U+FF21", utf8(sim + "\uFF21" + kind)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTopics")
  void aPublishOnATopicPahoCannotDecodeIsRewrittenAndPahoDecodesIt(String name, byte[] topic) throws Exception {
    byte[] payload = payload(300, new Random(SEED));
    byte[] bad = MqttPackets.publish(1, true, false, topic, 0x1234, payload);
    byte[] good = publish(2, GOOD_TOPIC, 0x4321, 1_000);
    byte[] expected = concat(CONNACK, rewrite(bad, 300), good);
    for (Fragments f : Fragments.values()) {
      Random random = new Random(SEED);
      byte[] read = readAll(new InboundTopicGuard(new SocketBytes(concat(CONNACK, bad, good), f, random, 0), "test"),
          random);
      assertArrayEquals(expected, read, name + ", " + f);
    }

    // The failure this guard exists for: Paho's decoder throws, and not an I/O error.
    assertThrows(IllegalArgumentException.class, () -> MqttWireMessage.createWireMessage(bad));
    byte[] rewritten = Arrays.copyOfRange(expected, CONNACK.length, expected.length - good.length);
    MqttPublish decoded = (MqttPublish) MqttWireMessage.createWireMessage(rewritten);
    assertEquals(InboundTopicGuard.REPLACEMENT_TOPIC, decoded.getTopicName());
    assertEquals(0x1234, decoded.getMessageId());
    assertEquals(1, decoded.getMessage().getQos());
    assertTrue(decoded.getMessage().isDuplicate());
    assertArrayEquals(payload, decoded.getMessage().getPayload());
    assertEquals(bad[0], rewritten[0]);
  }

  @Test
  void theReplacementTopicIsOneTheRouterDrops() {
    assertThrows(Topics.MalformedTopicException.class, () -> Topics.parse(InboundTopicGuard.REPLACEMENT_TOPIC));
  }

  @ParameterizedTest(name = "remaining length {0} bytes, then {1}")
  @MethodSource("lengthChanges")
  void theRemainingLengthIsReencodedWhenItsSizeChanges(int before, int after, byte[] topic, int payloadLength)
      throws Exception {
    byte[] bad = MqttPackets.publish(0, false, true, topic, 0, payload(payloadLength, new Random(SEED)));
    assertEquals(before, lengthBytes(bad));
    byte[] read = readAll(new InboundTopicGuard(new SocketBytes(bad, Fragments.ONE_BYTE, new Random(SEED), 0), "t"),
        new Random(SEED));
    assertEquals(after, lengthBytes(read));
    MqttPublish decoded = (MqttPublish) MqttWireMessage.createWireMessage(read);
    assertEquals(InboundTopicGuard.REPLACEMENT_TOPIC, decoded.getTopicName());
    assertTrue(decoded.getMessage().isRetained());
    assertEquals(payloadLength, decoded.getMessage().getPayload().length);
  }

  static Stream<Arguments> lengthChanges() {
    byte[] longTopic = utf8("\uD83D\uDE80".repeat(100)); // 400 bytes
    return Stream.of(
        // 2 + 1 + payload = 127: one byte; with the longer replacement topic, two.
        arguments(1, 2, utf8("\u0000"), 127 - 3),
        // 2 + 400 + payload = 16,400: three bytes; with the shorter replacement topic, two.
        arguments(3, 2, longTopic, 16_400 - 402),
        arguments(2, 2, utf8("\u0007"), 1_000),
        arguments(4, 4, longTopic, 2_200_000));
  }

  @Test
  void aRemainingLengthOfMoreThanFourBytesIsPassedOnUntouchedWithEverythingAfterIt() throws IOException {
    Random random = new Random(SEED);
    byte[] broken = {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01, 0x00};
    byte[] stream = concat(CONNACK, broken, badPublish(utf8("a\u0000"), 10), publish(1, GOOD_TOPIC, 1, 10));
    assertArrayEquals(stream,
        readAll(new InboundTopicGuard(new SocketBytes(stream, Fragments.RANDOM, random, 0), "test"), random));
  }

  @Test
  void aStreamThatEndsInsideAPacketHandsOverWhatCameThenEnds() throws IOException {
    byte[] whole = publish(1, GOOD_TOPIC, 9, 100);
    for (int cut = 1; cut < whole.length; cut++) {
      byte[] part = Arrays.copyOf(whole, cut);
      Random random = new Random(SEED);
      assertArrayEquals(part,
          readAll(new InboundTopicGuard(new SocketBytes(part, Fragments.RANDOM, random, 0), "test"), random),
          "cut at " + cut);
    }
  }

  @Test
  void aTopicLengthLongerThanThePacketIsLeftForPahoToJudge() throws IOException {
    // Remaining length 4: a topic length of 0x00FF, then two bytes; then a PINGRESP.
    byte[] stream = {0x30, 0x04, 0x00, (byte) 0xFF, 0x00, 0x07, (byte) 0xD0, 0x00};
    Random random = new Random(SEED);
    assertArrayEquals(stream,
        readAll(new InboundTopicGuard(new SocketBytes(stream, Fragments.ONE_BYTE, random, 0), "test"), random));
  }

  // --- packets

  private static byte[][] mixOfPackets(Random random) {
    byte[][] packets = new byte[400][];
    int[] payloadSizes = {0, 1, 100, 200, 16_000, 20_000, 2_100_000};
    int bigOnes = 0;
    for (int i = 0; i < packets.length; i++) {
      int pid = 1 + random.nextInt(65_535);
      packets[i] = switch (random.nextInt(9)) {
        case 0 -> CONNACK;
        case 1 -> MqttPackets.packet(0x90, new byte[] {(byte) (pid >>> 8), (byte) pid, 1, 0, (byte) 0x80});
        case 2 -> MqttPackets.packet(0x40, new byte[] {(byte) (pid >>> 8), (byte) pid});
        case 3 -> MqttPackets.packet(0x50, new byte[] {(byte) (pid >>> 8), (byte) pid});
        case 4 -> MqttPackets.packet(0x62, new byte[] {(byte) (pid >>> 8), (byte) pid});
        case 5 -> new byte[] {(byte) 0xD0, 0x00};
        default -> {
          int size = payloadSizes[random.nextInt(payloadSizes.length)];
          if (size > 1_000_000 && bigOnes++ > 1) {
            size = 300;
          }
          String topic = random.nextBoolean() ? GOOD_TOPIC : "/lifecycle/model/mso/Grüße-✓/中文/ReadyForProcessing";
          yield MqttPackets.publish(random.nextInt(3), random.nextBoolean(), random.nextBoolean(),
              utf8(topic), pid, payload(size, random));
        }
      };
    }
    // Every remaining-length size at least once.
    byte[][] all = Arrays.copyOf(packets, packets.length + 3);
    all[packets.length] = publish(1, GOOD_TOPIC, 1, 200);
    all[packets.length + 1] = publish(1, GOOD_TOPIC, 2, 20_000);
    all[packets.length + 2] = publish(2, GOOD_TOPIC, 3, 2_100_000);
    return all;
  }

  private static byte[] publish(int qos, String topic, int packetId, int payloadLength) {
    return MqttPackets.publish(qos, false, false, utf8(topic), packetId, payload(payloadLength, new Random(packetId)));
  }

  private static byte[] badPublish(byte[] topic, int payloadLength) {
    return MqttPackets.publish(1, false, false, topic, 77, payload(payloadLength, new Random(77)));
  }

  /** The packet the guard should make of {@code bad}: same flags, packet id and payload. */
  private static byte[] rewrite(byte[] bad, int payloadLength) {
    int at = 1 + lengthBytes(bad);
    int topicLength = (bad[at] & 0xFF) << 8 | bad[at + 1] & 0xFF;
    byte[] rest = Arrays.copyOfRange(bad, at + 2 + topicLength, bad.length);
    byte[] topic = utf8(InboundTopicGuard.REPLACEMENT_TOPIC);
    byte[] body = concat(new byte[] {(byte) (topic.length >>> 8), (byte) topic.length}, topic, rest);
    return MqttPackets.packet(bad[0] & 0xFF, body);
  }

  private static int lengthBytes(byte[] packet) {
    int n = 1;
    while ((packet[n] & 0x80) != 0) {
      n++;
    }
    return n;
  }

  private static byte[] payload(int length, Random random) {
    byte[] b = new byte[length];
    random.nextBytes(b);
    return b;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  private static byte[] bytes(String before, String hex, String after) {
    return concat(utf8(before), HexFormat.of().parseHex(hex), utf8(after));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Reads to the end as Paho does: single bytes, and reads of any size, retrying after a timeout. */
  private static byte[] readAll(InputStream in, Random random) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[64 * 1024];
    while (true) {
      int n;
      try {
        if (random.nextInt(4) == 0) {
          int b = in.read();
          if (b < 0) {
            return out.toByteArray();
          }
          out.write(b);
          continue;
        }
        int off = random.nextInt(16);
        n = in.read(chunk, off, 1 + random.nextInt(chunk.length - off));
        if (n < 0) {
          return out.toByteArray();
        }
        out.write(chunk, off, n);
      } catch (SocketTimeoutException e) {
        // Paho reads again.
      }
    }
  }

  /** A socket's input: the bytes in fragments, and optionally a read timeout every n-th read. */
  private static final class SocketBytes extends InputStream {
    private final byte[] bytes;
    private final Fragments fragments;
    private final Random random;
    private final int timeoutEvery;
    private int pos;
    private int reads;

    SocketBytes(byte[] bytes, Fragments fragments, Random random, int timeoutEvery) {
      this.bytes = bytes;
      this.fragments = fragments;
      this.random = random;
      this.timeoutEvery = timeoutEvery;
    }

    @Override
    public int read() {
      throw new AssertionError("the guard reads in blocks");
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (timeoutEvery > 0 && ++reads % timeoutEvery == 0) {
        throw new SocketTimeoutException("Read timed out");
      }
      if (pos == bytes.length) {
        return -1;
      }
      int most = Math.min(len, bytes.length - pos);
      int n = switch (fragments) {
        case ONE_BYTE -> 1;
        case WHOLE -> most;
        case RANDOM -> 1 + random.nextInt(Math.min(most, 3_000));
      };
      System.arraycopy(bytes, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
