package dev.tugboat.protocol.events;

import java.util.Objects;

/**
 * One event on a reader's stream, with the reader's position once it has it (the SSE id) and the
 * event's JSON ({@link EventJson}, the SSE data).
 */
public record StreamedEvent(EventPosition id, LifecycleEvent event, String data) {

  public StreamedEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(data, "data");
  }

  public StreamedEvent(EventPosition id, LifecycleEvent event) {
    this(id, event, EventJson.write(event));
  }
}
