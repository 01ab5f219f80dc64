package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tugboat.protocol.events.EventPosition;
import dev.tugboat.protocol.events.LifecycleEvent;
import dev.tugboat.protocol.events.StreamedEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** How one client joins the broadcast: where it starts, what it reads from the journal, what it drops. */
class ClientStreamTest {

  private static final ActorTestKit testKit = ActorTestKit.create("ClientStreamTest");

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static JournaledEvent e(int journal, long ordering) {
    return new JournaledEvent(journal, ordering,
        LifecycleEvent.ofSimulation("E" + journal + "." + ordering, "sim", Instant.EPOCH, null));
  }

  private static HubElement live(int journal, long ordering) {
    return new HubElement.Live(e(journal, ordering));
  }

  private static HubElement mark(long... orderings) {
    return new HubElement.Mark(EventPosition.of(orderings));
  }

  private static List<String> ids(List<StreamedEvent> events) {
    return events.stream().map(s -> s.id() + " " + s.event().type()).toList();
  }

  private final List<List<EventPosition>> catchUps = new CopyOnWriteArrayList<>();

  private BiFunction<EventPosition, EventPosition, Source<JournaledEvent, NotUsed>> journal(JournaledEvent... rows) {
    return (from, upTo) -> {
      catchUps.add(List.of(from, upTo));
      return Source.from(List.of(rows));
    };
  }

  private static List<StreamedEvent> run(Source<StreamedEvent, NotUsed> stream) throws Exception {
    return stream.runWith(Sink.seq(), testKit.system()).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void aClientWithoutAnIdStartsAtTheFirstMark() throws Exception {
    Source<HubElement, NotUsed> hub = Source.from(List.of(live(0, 5), mark(5, 7), live(0, 6), live(1, 8)));
    List<StreamedEvent> got = run(ClientStream.of(hub, Optional.empty(), 16, journal()));
    assertEquals(List.of("6-7 E0.6", "6-8 E1.8"), ids(got), "the event before the mark is not the client's");
    assertEquals(List.of(List.of(EventPosition.of(5, 7), EventPosition.of(5, 7))), catchUps, "nothing to catch up");
  }

  @Test
  void aResumingClientReadsTheJournalUpToTheMarkThenFollowsWithoutDuplicates() throws Exception {
    Source<HubElement, NotUsed> hub = Source.from(List.of(mark(5, 7), live(1, 8), live(0, 6), live(1, 10)));
    List<StreamedEvent> got = run(ClientStream.of(hub, Optional.of(EventPosition.of(3, 9)), 16,
        journal(e(0, 4), e(0, 5))));
    assertEquals(List.of(List.of(EventPosition.of(3, 9), EventPosition.of(5, 7))), catchUps);
    assertEquals(List.of("4-9 E0.4", "5-9 E0.5", "6-9 E0.6", "6-10 E1.10"), ids(got),
        "services' 8 was seen before (another node gave the client 9)");
  }

  @Test
  void aClientThatFallsABufferBehindIsDropped() {
    Source<HubElement, NotUsed> endless = Source.single(mark(0, 0)).concat(Source.repeat(live(0, 1)));
    // Its journal read never ends, so the broadcast piles up behind it.
    BiFunction<EventPosition, EventPosition, Source<JournaledEvent, NotUsed>> stuck =
        (from, upTo) -> Source.<JournaledEvent>maybe().mapMaterializedValue(m -> NotUsed.getInstance());
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> run(ClientStream.of(endless, Optional.of(EventPosition.of(0, 0)), 8, stuck)));
    assertInstanceOf(BufferOverflowException.class, failed.getCause());
  }
}
