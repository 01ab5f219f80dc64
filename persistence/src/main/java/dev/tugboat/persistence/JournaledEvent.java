package dev.tugboat.persistence;

import dev.tugboat.protocol.events.EventJson;
import dev.tugboat.protocol.events.LifecycleEvent;

/**
 * A lifecycle event read from journal number {@code journal} of the event stream (0 the
 * simulations', 1 the services' when they have tables of their own) at {@code ordering}, with its
 * JSON ({@link EventJson}), written once for every client.
 */
record JournaledEvent(int journal, long ordering, LifecycleEvent event, String data) {

  JournaledEvent(int journal, long ordering, LifecycleEvent event) {
    this(journal, ordering, event, EventJson.write(event));
  }
}
