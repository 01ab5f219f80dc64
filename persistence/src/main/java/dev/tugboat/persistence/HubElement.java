package dev.tugboat.persistence;

import dev.tugboat.protocol.events.EventPosition;

/** What a node's event reader broadcasts to its clients ({@link LifecycleEventFeed}). */
sealed interface HubElement {

  /** Everything at or below {@code position} has been broadcast; what follows is above it. */
  record Mark(EventPosition position) implements HubElement {}

  /** One event, in the order the reader released it. */
  record Live(JournaledEvent event) implements HubElement {}
}
