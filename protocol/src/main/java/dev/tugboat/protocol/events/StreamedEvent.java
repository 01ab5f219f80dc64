package dev.tugboat.protocol.events;

import java.util.Objects;

/** One event on a reader's stream, with the reader's position once it has it (the SSE id). */
public record StreamedEvent(EventPosition id, LifecycleEvent event) {

  public StreamedEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(event, "event");
  }
}
