package dev.tugboat.persistence;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.notify.NotifierCommand;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Publishes the Simulation's notifications from the journal: one Pekko Projection per
 * {@link NotificationTags} slice reads the tagged events ({@code eventsByTag} on the jdbc read
 * journal), hands each group to a {@link NotificationHandler} and stores its offset in the
 * database ({@code pekko_projection_offset_store}) after the group was published and recorded.
 * Sharded Daemon Process runs each slice's projection on exactly one node of the cluster and
 * moves it when that node goes away.
 */
public final class NotificationProjection {

  /** The projection name (offset-store key) and the daemon process name. */
  public static final String NAME = "simulation-notifications";

  private static final String DEFAULT_READ_JOURNAL = "jdbc-read-journal";
  private static final String BLOCKING_JDBC_DISPATCHER = "pekko.projection.jdbc.blocking-jdbc-dispatcher";

  private NotificationProjection() {}

  /** Starts the projections of every slice in the cluster (call once per node, after the schema exists). */
  public static void init(ActorSystem<?> system, EntityDirectory directory, ActorRef<NotifierCommand> notifier,
      NotificationSettings settings) {
    HikariDataSource offsetStore = offsetStoreDataSource(system.settings().config(), settings);
    system.getWhenTerminated().thenRun(offsetStore::close);
    List<String> tags = settings.tags().all();
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, NAME, tags.size(),
        slice -> projectionBehavior(system, tags.get(slice), directory, notifier, settings, offsetStore),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static Behavior<ProjectionBehavior.Command> projectionBehavior(ActorSystem<?> system, String tag,
      EntityDirectory directory, ActorRef<NotifierCommand> notifier, NotificationSettings settings,
      HikariDataSource offsetStore) {
    return ProjectionBehavior.create(projection(system, tag, directory, notifier, settings, offsetStore));
  }

  static GroupedProjection<Offset, EventEnvelope<SimulationEvent>> projection(ActorSystem<?> system, String tag,
      EntityDirectory directory, ActorRef<NotifierCommand> notifier, NotificationSettings settings,
      DataSource offsetStore) {
    Config config = system.settings().config();
    String readJournal = readJournalPlugin(config);
    SourceProvider<Offset, EventEnvelope<SimulationEvent>> source =
        EventSourcedProvider.eventsByTag(system, readJournal, tag);
    TagPruner pruner = new TagPruner(offsetStore, config.getString(readJournal + ".tables.event_tag.tableName"),
        system.dispatchers().lookup(DispatcherSelector.fromConfig(BLOCKING_JDBC_DISPATCHER)));
    return JdbcProjection.<Offset, EventEnvelope<SimulationEvent>, OffsetStoreSession>groupedWithinAsync(
            ProjectionId.of(NAME, tag), source, () -> new OffsetStoreSession(offsetStore),
            () -> new NotificationHandler(notifier, directory, settings, system.scheduler(), tag, pruner), system)
        .withGroup(settings.groupSize(), settings.groupWithin())
        .withRestartBackoff(settings.restartMinBackoff(), settings.restartMaxBackoff(), 0.2);
  }

  /**
   * The read journal over the Simulation entities' journal: tugboat.entities.simulation-read-journal-plugin
   * with their own journal plugin, the default jdbc read journal when they use the default journal.
   */
  static String readJournalPlugin(Config config) {
    return config.getString(SimulationEntity.JOURNAL_PLUGIN_SETTING).isEmpty() ? DEFAULT_READ_JOURNAL
        : config.getString(SimulationEntity.READ_JOURNAL_PLUGIN_SETTING);
  }

  /** A small pool on the journal's database for the offset store (saves are one short transaction each). */
  static HikariDataSource offsetStoreDataSource(Config config, NotificationSettings settings) {
    Config db = config.getConfig("tugboat.database");
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("tugboat-offset-store");
    hikari.setDriverClassName(db.getString("driver"));
    hikari.setJdbcUrl(db.getString("url"));
    hikari.setUsername(db.getString("user"));
    hikari.setPassword(db.getString("password"));
    hikari.setMaximumPoolSize(settings.offsetStoreConnections());
    hikari.setMinimumIdle(1);
    hikari.setAutoCommit(false);
    // Fail later, on use, rather than in the constructor: the projection restarts with backoff.
    hikari.setInitializationFailTimeout(-1);
    return new HikariDataSource(hikari);
  }
}
