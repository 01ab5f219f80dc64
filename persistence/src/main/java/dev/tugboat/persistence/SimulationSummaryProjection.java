package dev.tugboat.persistence;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tugboat.persistence.SimulationEvent.NotificationAbandoned;
import dev.tugboat.persistence.SimulationEvent.NotificationDelivered;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Keeps the simulation list's read model ({@code tugboat_simulation_summary}) from the journal:
 * every simulation event that changes a simulation's phase or a model's phase carries the tag
 * {@code simulation-summary-<n>} (n = the simulation's notification slice, so the count is the
 * fixed {@code tugboat.notifications.tag-count}); one exactly-once JDBC projection per slice
 * applies them ({@link SimulationSummaryHandler}) and stores its offset in the same transaction.
 * Sharded Daemon Process runs each slice on one node of the cluster. The list is read with
 * {@link SimulationSummaries}, never through an entity.
 */
public final class SimulationSummaryProjection {

  /** The projection name (offset-store key) and the daemon process name. */
  public static final String NAME = "simulation-summary";

  /** Tags of the read model's events: this prefix and the simulation's notification slice. */
  public static final String TAG_PREFIX = "simulation-summary-";

  private SimulationSummaryProjection() {}

  /** Starts the projections of every slice in the cluster (call once per node, after the schema exists). */
  public static void init(ActorSystem<?> system, NotificationTags slices, SimulationSummarySettings settings) {
    HikariDataSource dataSource = dataSource(system.settings().config(), settings);
    system.getWhenTerminated().thenRun(dataSource::close);
    List<String> tags = tags(slices);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, NAME, tags.size(),
        slice -> ProjectionBehavior.create(projection(system, tags.get(slice), settings, dataSource)),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  static GroupedProjection<Offset, EventEnvelope<SimulationEvent>> projection(ActorSystem<?> system, String tag,
      SimulationSummarySettings settings, DataSource dataSource) {
    Config config = system.settings().config();
    String tagTable = JournalTables.simulations(config).tag();
    return JdbcProjection.<Offset, EventEnvelope<SimulationEvent>, OffsetStoreSession>groupedWithin(
            ProjectionId.of(NAME, tag),
            EventSourcedProvider.eventsByTag(system, NotificationProjection.readJournalPlugin(config), tag),
            () -> new OffsetStoreSession(dataSource), () -> new SimulationSummaryHandler(tag, tagTable), system)
        .withGroup(settings.groupSize(), settings.groupWithin())
        .withRestartBackoff(settings.restartMinBackoff(), settings.restartMaxBackoff(), 0.2);
  }

  /** The read model's tag of a simulation, in the slice of its notifications. */
  public static String tagFor(NotificationTags slices, String simulationId) {
    return TAG_PREFIX + slices.sliceOf(simulationId);
  }

  /** Every tag of the read model, in slice order. */
  public static List<String> tags(NotificationTags slices) {
    return IntStream.range(0, slices.count()).mapToObj(slice -> TAG_PREFIX + slice).toList();
  }

  /** True for the events the read model applies: all but the outbox's bookkeeping. */
  static boolean summarizes(SimulationEvent event) {
    return !(event instanceof NotificationDelivered || event instanceof NotificationAbandoned);
  }

  /** The projection's own small pool on the journal database. */
  static HikariDataSource dataSource(Config config, SimulationSummarySettings settings) {
    Config db = config.getConfig("tugboat.database");
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("tugboat-simulation-summary");
    hikari.setDriverClassName(db.getString("driver"));
    hikari.setJdbcUrl(db.getString("url"));
    hikari.setUsername(db.getString("user"));
    hikari.setPassword(db.getString("password"));
    hikari.setMaximumPoolSize(settings.connections());
    hikari.setMinimumIdle(1);
    hikari.setAutoCommit(false);
    // Fail later, on use, rather than in the constructor: the projection restarts with backoff.
    hikari.setInitializationFailTimeout(-1);
    return new HikariDataSource(hikari);
  }
}
