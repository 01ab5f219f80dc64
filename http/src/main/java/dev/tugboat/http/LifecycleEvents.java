package dev.tugboat.http;

import dev.tugboat.protocol.events.EventPosition;
import dev.tugboat.protocol.events.StreamedEvent;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The lifecycle events behind {@code GET /api/v1/events} (node answers from the journal): every
 * simulation and service event in journal order, each with the position after it, resumable after
 * any position the stream gave out, on any node and after a restart.
 */
public interface LifecycleEvents {

  /** How many numbers a position of this stream has (see {@link EventPosition#parse}). */
  int journals();

  /**
   * The events after {@code after} and then live, or from now when it is empty; {@link Gone} when
   * some event after it is no longer retained. The stage fails when the journal cannot be read.
   */
  CompletionStage<Opening> open(Optional<EventPosition> after);

  /** What opening a stream gives. */
  sealed interface Opening {}

  /** The events, without end; the source fails when the reader is dropped for reading too slowly. */
  record Opened(Source<StreamedEvent, NotUsed> events) implements Opening {}

  /** The position asked for is older than what the journal retains; {@code reason} says so. */
  record Gone(String reason) implements Opening {}
}
