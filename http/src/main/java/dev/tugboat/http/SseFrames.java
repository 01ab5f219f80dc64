package dev.tugboat.http;

import dev.tugboat.protocol.events.StreamedEvent;
import org.apache.pekko.util.ByteString;

/**
 * The text/event-stream encoding of the event stream: one event as its {@code id} (the reader's
 * position, which a browser's EventSource sends back as Last-Event-ID), {@code event} (its type,
 * so a page can listen to one type) and one {@code data} line of JSON; a heartbeat as a comment,
 * which EventSource ignores.
 */
final class SseFrames {
  private SseFrames() {}

  static final ByteString HEARTBEAT = ByteString.fromString(": heartbeat\n\n");
  /** Sent first, so a client sees the stream open before the first event or heartbeat. */
  static final ByteString OPENED = ByteString.fromString(": stream open\n\n");

  static ByteString event(StreamedEvent e) {
    return ByteString.fromString("id: " + e.id() + "\nevent: " + e.event().type() + "\ndata: " + e.data() + "\n\n");
  }
}
