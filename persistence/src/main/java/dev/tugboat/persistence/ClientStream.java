package dev.tugboat.persistence;

import dev.tugboat.protocol.events.EventPosition;
import dev.tugboat.protocol.events.StreamedEvent;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One client's stream off the node's broadcast: it drains the broadcast at once into a buffer of
 * {@code buffer} elements (overflowing it fails the stream with a BufferOverflowException, which
 * drops the client), joins at the first {@link HubElement.Mark}, reads what it missed from its
 * position up to that mark with {@code catchUp} (events above the first position, at or below the
 * second), then follows the broadcast, and lets through only what moves its position on
 * ({@link EventPosition#advance}), each event with the position after it.
 */
final class ClientStream {
  private ClientStream() {}

  static Source<StreamedEvent, NotUsed> of(Source<HubElement, NotUsed> hub, Optional<EventPosition> after, int buffer,
      BiFunction<EventPosition, EventPosition, Source<JournaledEvent, NotUsed>> catchUp) {
    return hub
        .buffer(buffer, OverflowStrategy.fail())
        .dropWhile(e -> !(e instanceof HubElement.Mark))
        .prefixAndTail(1)
        .flatMapConcat(first -> {
          if (first.first().isEmpty()) {
            return Source.<StreamedEvent>empty();
          }
          EventPosition from = ((HubElement.Mark) first.first().get(0)).position();
          EventPosition start = after.orElse(from);
          Source<JournaledEvent, NotUsed> live = first.second()
              .filter(e -> e instanceof HubElement.Live)
              .map(e -> ((HubElement.Live) e).event());
          return catchUp.apply(start, from).concat(live)
              .statefulMap(() -> start, ClientStream::next, position -> Optional.<Optional<StreamedEvent>>empty())
              .filter(Optional::isPresent)
              .map(Optional::get);
        });
  }

  /** The event with the reader's position after it, or nothing when the position already covers it. */
  private static Pair<EventPosition, Optional<StreamedEvent>> next(EventPosition position, JournaledEvent e) {
    Optional<EventPosition> moved = position.advance(e.journal(), e.ordering());
    return moved.map(p -> Pair.create(p, Optional.of(new StreamedEvent(p, e.event(), e.data()))))
        .orElseGet(() -> Pair.create(position, Optional.empty()));
  }
}
