package dev.tugboat.node;

import dev.tugboat.http.LifecycleEvents;
import dev.tugboat.persistence.LifecycleEventFeed;
import dev.tugboat.protocol.events.EventPosition;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The HTTP event stream, answered from the journal tables by this node's {@link LifecycleEventFeed}. */
final class JournalLifecycleEvents implements LifecycleEvents {

  private final LifecycleEventFeed feed;

  JournalLifecycleEvents(LifecycleEventFeed feed) {
    this.feed = feed;
  }

  @Override
  public int journals() {
    return feed.journals();
  }

  @Override
  public CompletionStage<Opening> open(Optional<EventPosition> after) {
    return feed.open(after).<Opening>thenApply(opening -> {
      if (opening instanceof LifecycleEventFeed.Gone gone) {
        return new Gone(gone.reason());
      }
      return new Opened(((LifecycleEventFeed.Opened) opening).events());
    });
  }
}
