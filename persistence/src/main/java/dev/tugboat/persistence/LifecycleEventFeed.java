package dev.tugboat.persistence;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tugboat.protocol.events.EventPosition;
import dev.tugboat.protocol.events.StreamedEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.javadsl.BroadcastHub;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source of the event stream ({@code GET /api/v1/events}) on one node: one reader of the
 * journal tables shared by every client of the node (a {@link BroadcastHub}), started by the first
 * client. It polls each table by ordering ({@link JournalEventReader}), releases rows only past
 * settled gaps ({@link OrderingGaps}) and broadcasts each lifecycle event, with a mark of where it
 * stands before every batch and, when idle, every {@code mark-interval}. A client joins at its
 * first mark: one that resumes reads what it missed up to that mark from the journal first, then
 * the broadcast, dropping what its position already covers ({@link EventPosition#advance}), so it
 * sees no gap and no duplicate; a client without a position starts at the mark. Each client drains
 * the hub into a buffer of {@code client-buffer} events; a client that lets it fill is dropped
 * (its stream fails; it resumes with its last id) instead of holding the others back or memory
 * unbounded.
 */
public final class LifecycleEventFeed {
  private static final Logger log = LoggerFactory.getLogger(LifecycleEventFeed.class);

  static final String DISPATCHER = "tugboat.events.dispatcher";
  /** Elements the hub holds for its slowest consumer; the consumers are their own buffers, which drain it at once. */
  private static final int HUB_BUFFER = 256;

  /** What opening a stream gives. */
  public sealed interface Opening {}

  /** The events from the position asked for (or from now), then live, without end. */
  public record Opened(Source<StreamedEvent, NotUsed> events) implements Opening {}

  /** Events after the position asked for are no longer in the journal; {@code reason} says which. */
  public record Gone(String reason) implements Opening {}

  private final ActorSystem<?> system;
  private final EventFeedSettings settings;
  private final HikariDataSource dataSource;
  private final Executor blocking;
  private final List<JournalEventReader> journals;
  private final Counter dropped;
  private volatile Source<HubElement, NotUsed> hub;

  private LifecycleEventFeed(ActorSystem<?> system, EventFeedSettings settings, HikariDataSource dataSource,
      Executor blocking, List<JournalEventReader> journals, Counter dropped) {
    this.system = system;
    this.settings = settings;
    this.dataSource = dataSource;
    this.blocking = blocking;
    this.journals = List.copyOf(journals);
    this.dropped = dropped;
  }

  /**
   * The feed of this node, on its own pool ({@code tugboat.events.connections}) and dispatcher; it
   * reads nothing until the first client opens a stream. Closes with the actor system.
   */
  public static LifecycleEventFeed start(ActorSystem<?> system, EventFeedSettings settings, MeterRegistry metrics) {
    Config config = system.settings().config();
    HikariDataSource dataSource = dataSource(config, settings.connections());
    system.getWhenTerminated().thenRun(dataSource::close);
    var serialization = SerializationExtension.get(system);
    String simulations = JournalTables.simulations(config).journal();
    String services = JournalTables.services(config).journal();
    List<JournalEventReader> journals = new ArrayList<>();
    journals.add(new JournalEventReader(simulations, serialization));
    if (!services.equals(simulations)) {
      journals.add(new JournalEventReader(services, serialization));
    }
    Counter dropped = Counter.builder("tugboat.events.clients.dropped")
        .description("event stream clients dropped because they read slower than events came").register(metrics);
    return new LifecycleEventFeed(system, settings, dataSource,
        system.dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER)), journals, dropped);
  }

  /** How many journals a position of this stream names (the numbers of an event id). */
  public int journals() {
    return journals.size();
  }

  /**
   * A stream of every lifecycle event after {@code after}, or from now when it is empty; {@link
   * Gone} when events after it were removed from the journal (older than ended-retention).
   *
   * @throws IllegalArgumentException when {@code after} names another number of journals
   */
  public CompletionStage<Opening> open(Optional<EventPosition> after) {
    if (after.isPresent() && after.get().journals() != journals.size()) {
      throw new IllegalArgumentException("an event id of this stream has " + journals.size() + " number(s), got "
          + after.get());
    }
    Source<HubElement, NotUsed> source = hub();
    if (after.isEmpty()) {
      return CompletableFuture.<Opening>completedFuture(new Opened(stream(after, source)));
    }
    EventPosition requested = after.get();
    return CompletableFuture.supplyAsync(() -> gone(requested), blocking)
        .thenApply(gone -> gone.<Opening>map(Gone::new).orElseGet(() -> new Opened(stream(after, source))));
  }

  /** Why events after {@code requested} can no longer all be read, if they cannot. */
  private Optional<String> gone(EventPosition requested) {
    try (Connection c = dataSource.getConnection()) {
      for (int j = 0; j < journals.size(); j++) {
        JournalEventReader journal = journals.get(j);
        OptionalLong oldest = journal.lowest(c);
        if (oldest.isPresent() && requested.ordering(j) < oldest.getAsLong() - 1) {
          long rows = journal.rowsBetween(c, requested.ordering(j), oldest.getAsLong());
          Optional<String> problem = RetainedEvents.problem(requested, j, oldest.getAsLong(), rows);
          if (problem.isPresent()) {
            return problem;
          }
        }
      }
      return Optional.empty();
    } catch (SQLException e) {
      throw new IllegalStateException("reading the oldest retained event failed: " + e.getMessage(), e);
    }
  }

  private Source<StreamedEvent, NotUsed> stream(Optional<EventPosition> after, Source<HubElement, NotUsed> hub) {
    return ClientStream.of(hub, after, settings.clientBuffer(), this::catchUp)
        .watchTermination((mat, done) -> {
          done.whenComplete((ok, failure) -> {
            if (failure instanceof BufferOverflowException) {
              dropped.increment();
              log.info("event stream: a client fell {} events behind and was dropped; it resumes with its last id",
                  settings.clientBuffer());
            }
          });
          return NotUsed.getInstance();
        });
  }

  /** The events above {@code start} and at or below {@code upTo}, read from the journal page by page. */
  private Source<JournaledEvent, NotUsed> catchUp(EventPosition start, EventPosition upTo) {
    Source<JournaledEvent, NotUsed> merged = null;
    for (int j = 0; j < journals.size(); j++) {
      int journal = j;
      long end = upTo.ordering(j);
      if (start.ordering(j) >= end) {
        continue;
      }
      Source<JournaledEvent, NotUsed> one = Source.<Long, List<JournaledEvent>>unfoldAsync(start.ordering(j),
              position -> nextPage(journal, position, end))
          .mapConcat(events -> events);
      merged = merged == null ? one : merged.mergeSorted(one, JournalMerge.ORDER);
    }
    return merged == null ? Source.empty() : merged;
  }

  private CompletionStage<Optional<Pair<Long, List<JournaledEvent>>>> nextPage(int j, long after, long end) {
    if (after >= end) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return CompletableFuture.supplyAsync(() -> Optional.of(page(j, after, end)), blocking);
  }

  /** The next page of journal {@code j} above {@code after}, up to {@code end}, and where the next one starts. */
  private Pair<Long, List<JournaledEvent>> page(int j, long after, long end) {
    try (Connection c = dataSource.getConnection()) {
      List<JournalRow> rows = journals.get(j).rows(c, after, end, settings.pageSize());
      if (rows.isEmpty()) {
        return Pair.create(end, List.of());
      }
      return Pair.create(rows.get(rows.size() - 1).ordering(), events(rows, j));
    } catch (SQLException e) {
      throw new IllegalStateException("reading " + journals.get(j).table() + " after " + after + " failed: "
          + e.getMessage(), e);
    }
  }

  private static List<JournaledEvent> events(List<JournalRow> rows, int journal) {
    List<JournaledEvent> events = new ArrayList<>(rows.size());
    for (JournalRow row : rows) {
      if (row.event() != null) {
        events.add(row.in(journal));
      }
    }
    return events;
  }

  private Source<HubElement, NotUsed> hub() {
    Source<HubElement, NotUsed> h = hub;
    if (h == null) {
      synchronized (this) {
        if (hub == null) {
          hub = startHub();
        }
        h = hub;
      }
    }
    return h;
  }

  private Source<HubElement, NotUsed> startHub() {
    Source<HubElement, NotUsed> source = Source.unfoldAsync(HubState.NEW, this::step)
        .mapConcat(elements -> elements)
        .toMat(BroadcastHub.of(HubElement.class, HUB_BUFFER), Keep.right())
        .run(system);
    // Drains the hub while no client is attached, so the reader stays current and a client joins at now.
    source.runWith(Sink.ignore(), system);
    log.info("event stream: reading {} every {} ms", journals.stream().map(JournalEventReader::table).toList(),
        settings.pollInterval().toMillis());
    return source;
  }

  /** The reader's state: where it stands in each journal (empty before its first read). */
  private record HubState(List<OrderingGaps> gaps, long lastMarkNanos, boolean caughtUp, boolean failing) {
    static final HubState NEW = new HubState(List.of(), 0, false, false);

    EventPosition position() {
      return new EventPosition(gaps.stream().map(OrderingGaps::position).toList());
    }
  }

  private CompletionStage<Optional<Pair<HubState, List<HubElement>>>> step(HubState state) {
    Executor when = state.caughtUp()
        ? CompletableFuture.delayedExecutor(settings.pollInterval().toNanos(), TimeUnit.NANOSECONDS, blocking)
        : blocking;
    return CompletableFuture.supplyAsync(() -> poll(state), when)
        .exceptionally(failure -> {
          if (!state.failing()) {
            log.warn("event stream: reading the journal failed, trying again every {} ms: {}",
                settings.pollInterval().toMillis(), failure.getMessage());
          }
          return Pair.create(new HubState(state.gaps(), state.lastMarkNanos(), true, true), List.<HubElement>of());
        })
        .thenApply(Optional::of);
  }

  private Pair<HubState, List<HubElement>> poll(HubState state) {
    long now = System.nanoTime();
    try (Connection c = dataSource.getConnection()) {
      if (state.gaps().isEmpty()) {
        List<OrderingGaps> gaps = new ArrayList<>();
        for (JournalEventReader journal : journals) {
          gaps.add(OrderingGaps.at(journal.highest(c)));
        }
        HubState started = new HubState(gaps, now, true, false);
        return Pair.create(started, List.<HubElement>of(new HubElement.Mark(started.position())));
      }
      List<OrderingGaps> next = new ArrayList<>(journals.size());
      List<List<JournaledEvent>> released = new ArrayList<>(journals.size());
      boolean caughtUp = true;
      for (int j = 0; j < journals.size(); j++) {
        OrderingGaps gaps = state.gaps().get(j);
        List<JournalRow> rows = journals.get(j).rows(c, gaps.position(), Long.MAX_VALUE, settings.pageSize());
        OrderingGaps.Released r = gaps.release(rows, now, settings.gapTimeout());
        if (rows.size() == settings.pageSize() && r.rows().size() == rows.size()) {
          caughtUp = false;
        }
        next.add(r.next());
        released.add(events(r.rows(), j));
      }
      List<JournaledEvent> events = JournalMerge.merge(released);
      HubState after = new HubState(next, state.lastMarkNanos(), caughtUp, false);
      if (!events.isEmpty()) {
        List<HubElement> elements = new ArrayList<>(events.size() + 1);
        elements.add(new HubElement.Mark(state.position()));
        events.forEach(e -> elements.add(new HubElement.Live(e)));
        return Pair.create(new HubState(next, now, caughtUp, false), elements);
      }
      if (now - state.lastMarkNanos() >= settings.markInterval().toNanos()) {
        return Pair.create(new HubState(next, now, caughtUp, false),
            List.<HubElement>of(new HubElement.Mark(after.position())));
      }
      return Pair.create(after, List.<HubElement>of());
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static HikariDataSource dataSource(Config config, int connections) {
    Config db = config.getConfig("tugboat.database");
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("tugboat-event-stream");
    hikari.setDriverClassName(db.getString("driver"));
    hikari.setJdbcUrl(db.getString("url"));
    hikari.setUsername(db.getString("user"));
    hikari.setPassword(db.getString("password"));
    hikari.setMaximumPoolSize(connections);
    hikari.setMinimumIdle(1);
    // Reads only: each query sees what is committed when it runs.
    hikari.setAutoCommit(true);
    hikari.setReadOnly(true);
    hikari.setInitializationFailTimeout(-1);
    return new HikariDataSource(hikari);
  }
}
