package dev.tugboat.persistence;

import dev.tugboat.protocol.events.LifecycleEvent;

/**
 * A lifecycle event read from journal number {@code journal} of the event stream (0 the
 * simulations', 1 the services' when they have tables of their own) at {@code ordering}.
 */
record JournaledEvent(int journal, long ordering, LifecycleEvent event) {}
