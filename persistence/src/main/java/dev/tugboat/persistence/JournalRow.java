package dev.tugboat.persistence;

import dev.tugboat.protocol.events.EventJson;
import dev.tugboat.protocol.events.LifecycleEvent;

/**
 * One row of a journal table as the event stream reads it: its ordering, and the lifecycle event it
 * holds, or null for a row that is none (Cluster Sharding's own events, a deleted row).
 */
record JournalRow(long ordering, LifecycleEvent event) {

  JournaledEvent in(int journal) {
    return new JournaledEvent(journal, ordering, event, EventJson.write(event));
  }
}
