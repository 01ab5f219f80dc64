package dev.tugboat.mqtt;

import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.MqttText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes an MQTT 3.1.1 broker sends, framed packet by packet and handed on unchanged, except a
 * PUBLISH whose topic name Paho v3 cannot decode ({@link MqttText}): that one goes on with the
 * topic {@link #REPLACEMENT_TOPIC}, which the DOTS grammar refuses, and its flags, packet id and
 * payload as they were, so the InboundRouter drops and acknowledges it.
 *
 * <p>Paho throws an IllegalArgumentException while decoding such a topic; it is not an I/O
 * error, so it ends Paho's receive thread, the broker redelivers the unacknowledged message on
 * the next connection, and the whole inbound path stays stopped by one message.
 *
 * <p>It holds at most one packet's fixed header and topic; the rest of a packet streams through.
 * Every read is resumable: Paho reads with a socket timeout and simply reads again after one, so
 * a timeout anywhere (in a header, a topic or a payload) leaves the framing intact. A remaining
 * length longer than four bytes is no MQTT frame: from there on the bytes pass untouched and Paho
 * reports the broken stream as it would without this guard.
 */
final class InboundTopicGuard extends InputStream {
  private static final Logger log = LoggerFactory.getLogger(InboundTopicGuard.class);

  /** The topic a refused PUBLISH goes on with; '$' keeps it apart from every DOTS topic. */
  static final String REPLACEMENT_TOPIC = "$tugboat/topic-not-carried-by-mqtt-3.1.1";

  private static final byte[] REPLACEMENT = REPLACEMENT_TOPIC.getBytes(StandardCharsets.UTF_8);
  private static final int PUBLISH = 3;
  private static final int MAX_LENGTH_BYTES = 4;
  private static final int MAX_REMAINING_LENGTH = 268_435_455;
  private static final int READ_BUFFER = 8192;
  private static final int FIRST_HEAD_CAPACITY = 256;

  private enum Phase {
    /** Collecting the packet type byte and the remaining length. */
    FIXED_HEADER,
    /** Collecting a PUBLISH's two topic length bytes. */
    TOPIC_LENGTH,
    /** Collecting a PUBLISH's topic bytes. */
    TOPIC,
    /** Streaming the rest of the packet, {@code bodyLeft} bytes. */
    BODY,
    /** The stream is no MQTT frame any more: everything passes. */
    UNFRAMED,
    /** The broker closed the stream. */
    END
  }

  private final InputStream in;
  private final String peer;
  private final byte[] buffer = new byte[READ_BUFFER];
  private int bufferPos;
  private int bufferEnd;

  /** The packet's fixed header and, for a PUBLISH, its topic length and topic. */
  private byte[] head = new byte[FIRST_HEAD_CAPACITY];
  private int headLength;
  private int remainingLength;
  private int topicLength;
  private int need;
  private final byte[] rewritten = new byte[1 + MAX_LENGTH_BYTES + 2 + REPLACEMENT.length];

  /** Bytes to hand over before anything else: a packet's head, as it came or rewritten. */
  private byte[] out;
  private int outPos;
  private int outEnd;

  private long bodyLeft;
  private Phase phase = Phase.FIXED_HEADER;
  private final byte[] single = new byte[1];

  /** Guards {@code in}, the bytes from the broker at {@code peer} (named in log lines). */
  InboundTopicGuard(InputStream in, String peer) {
    this.in = Objects.requireNonNull(in);
    this.peer = peer;
  }

  @Override
  public int read() throws IOException {
    int n = read(single, 0, 1);
    return n < 0 ? -1 : single[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (true) {
      if (outPos < outEnd) {
        int n = Math.min(len, outEnd - outPos);
        System.arraycopy(out, outPos, b, off, n);
        outPos += n;
        return n;
      }
      switch (phase) {
        case BODY -> {
          if (bodyLeft == 0) {
            nextPacket();
          } else {
            int n = pass(b, off, (int) Math.min(len, bodyLeft));
            if (n > 0) {
              bodyLeft -= n;
            }
            return n;
          }
        }
        case UNFRAMED -> {
          return pass(b, off, len);
        }
        case END -> {
          return -1;
        }
        default -> {
          if (!collect()) {
            // Closed inside a packet: Paho gets what came, then the end, as without the guard.
            handOver(head, headLength);
            phase = Phase.END;
          }
        }
      }
    }
  }

  @Override
  public int available() throws IOException {
    if (outPos < outEnd) {
      return outEnd - outPos;
    }
    return switch (phase) {
      case BODY -> (int) Math.min(bodyLeft, bufferEnd - bufferPos);
      case UNFRAMED -> bufferEnd - bufferPos;
      default -> 0;
    };
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /** Bytes of the current packet's body: what is buffered first, then straight from the socket. */
  private int pass(byte[] b, int off, int len) throws IOException {
    if (bufferPos < bufferEnd) {
      int n = Math.min(len, bufferEnd - bufferPos);
      System.arraycopy(buffer, bufferPos, b, off, n);
      bufferPos += n;
      return n;
    }
    return in.read(b, off, len);
  }

  /** Takes the next bytes of the packet's head; false when the stream ended. */
  private boolean collect() throws IOException {
    if (bufferPos == bufferEnd) {
      // A timeout thrown here changes nothing: the next read resumes where this one was.
      int n = in.read(buffer, 0, buffer.length);
      if (n < 0) {
        return false;
      }
      bufferPos = 0;
      bufferEnd = n;
      return true;
    }
    if (phase == Phase.FIXED_HEADER) {
      fixedHeaderByte(buffer[bufferPos++] & 0xFF);
      return true;
    }
    int n = Math.min(need, bufferEnd - bufferPos);
    System.arraycopy(buffer, bufferPos, head, headLength, n);
    bufferPos += n;
    headLength += n;
    need -= n;
    if (need == 0) {
      if (phase == Phase.TOPIC_LENGTH) {
        topicLengthRead();
      } else {
        topicRead();
      }
    }
    return true;
  }

  private void fixedHeaderByte(int b) {
    head[headLength++] = (byte) b;
    if (headLength == 1) {
      return;
    }
    int lengthBytes = headLength - 1;
    remainingLength |= (b & 0x7F) << (7 * (lengthBytes - 1));
    if ((b & 0x80) != 0) {
      if (lengthBytes == MAX_LENGTH_BYTES) {
        log.warn("the stream from the MQTT broker {} has a remaining length longer than {} bytes; "
            + "passing it on untouched", peer, MAX_LENGTH_BYTES);
        handOver(head, headLength);
        phase = Phase.UNFRAMED;
      }
      return;
    }
    if ((head[0] & 0xFF) >>> 4 == PUBLISH && remainingLength >= 2) {
      phase = Phase.TOPIC_LENGTH;
      need = 2;
    } else {
      handOverHeadThenBody(remainingLength);
    }
  }

  private void topicLengthRead() {
    topicLength = (head[headLength - 2] & 0xFF) << 8 | head[headLength - 1] & 0xFF;
    int rest = remainingLength - 2;
    if (topicLength == 0 || topicLength > rest) {
      // Not a topic Paho decodes into a bad string; Paho judges the packet itself.
      handOverHeadThenBody(rest);
      return;
    }
    if (head.length < headLength + topicLength) {
      head = Arrays.copyOf(head, headLength + topicLength);
    }
    phase = Phase.TOPIC;
    need = topicLength;
  }

  private void topicRead() {
    int rest = remainingLength - 2 - topicLength;
    int topicStart = headLength - topicLength;
    if (printableAscii(topicStart)) {
      handOverHeadThenBody(rest);
      return;
    }
    String topic = new String(head, topicStart, topicLength, StandardCharsets.UTF_8);
    Optional<String> problem = MqttText.problem(topic);
    if (problem.isEmpty()) {
      handOverHeadThenBody(rest);
      return;
    }
    int qos = (head[0] >>> 1) & 0x03;
    long newRemaining = (long) remainingLength - topicLength + REPLACEMENT.length;
    if (newRemaining > MAX_REMAINING_LENGTH) {
      log.warn("PUBLISH (QoS {}) from the MQTT broker {} on topic '{}' cannot be carried by MQTT 3.1.1 ({}), "
          + "and with the replacement topic it would exceed the largest MQTT packet; passing it on untouched",
          qos, peer, Ids.printable(topic), problem.get());
      handOverHeadThenBody(rest);
      return;
    }
    log.warn("PUBLISH (QoS {}) from the MQTT broker {} on topic '{}' cannot be carried by MQTT 3.1.1 ({}); "
        + "handing it to Paho on topic '{}' so that it is dropped and acknowledged", qos, peer,
        Ids.printable(topic), problem.get(), REPLACEMENT_TOPIC);
    int n = 0;
    rewritten[n++] = head[0];
    long length = newRemaining;
    do {
      int digit = (int) (length & 0x7F);
      length >>>= 7;
      rewritten[n++] = (byte) (length > 0 ? digit | 0x80 : digit);
    } while (length > 0);
    rewritten[n++] = (byte) (REPLACEMENT.length >>> 8);
    rewritten[n++] = (byte) REPLACEMENT.length;
    System.arraycopy(REPLACEMENT, 0, rewritten, n, REPLACEMENT.length);
    handOver(rewritten, n + REPLACEMENT.length);
    bodyLeft = rest;
    phase = Phase.BODY;
  }

  /** True when the topic is printable ASCII only: the common case, decided without decoding. */
  private boolean printableAscii(int topicStart) {
    for (int i = topicStart; i < headLength; i++) {
      int c = head[i];
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  private void handOverHeadThenBody(int bodyLength) {
    handOver(head, headLength);
    bodyLeft = bodyLength;
    phase = Phase.BODY;
  }

  private void handOver(byte[] bytes, int length) {
    out = bytes;
    outPos = 0;
    outEnd = length;
  }

  private void nextPacket() {
    headLength = 0;
    remainingLength = 0;
    phase = Phase.FIXED_HEADER;
  }
}
