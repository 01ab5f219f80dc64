package dev.tugboat.http;

import dev.tugboat.protocol.events.EventPosition;
import dev.tugboat.protocol.events.StreamedEvent;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/** An event stream of two journals in which nothing ever happens: the stream opens and stays open. */
final class QuietLifecycleEvents implements LifecycleEvents {
  @Override
  public int journals() {
    return 2;
  }

  @Override
  public CompletionStage<Opening> open(Optional<EventPosition> after) {
    return CompletableFuture.completedFuture(new Opened(
        Source.<StreamedEvent>maybe().mapMaterializedValue(promise -> NotUsed.getInstance())));
  }
}
