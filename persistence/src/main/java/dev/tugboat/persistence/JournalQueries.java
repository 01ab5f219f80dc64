package dev.tugboat.persistence;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * Tugboat's own short queries on the journal tables, outside the persistence plugins: a small pool
 * ({@code tugboat.database.query-connections}) and its dispatcher
 * ({@code tugboat.journal-queries-dispatcher}). Hands out the existence checks ({@link #ids()}), the
 * simulation list ({@link #summaries()}) and the retention's removals of simulations and services. The pool closes with the actor system.
 */
public final class JournalQueries {

  static final String DISPATCHER = "tugboat.journal-queries-dispatcher";

  private final JournalIds ids;
  private final JournalRemover simulations;
  private final JournalRemover services;
  private final SimulationSummaries summaries;

  private JournalQueries(HikariDataSource dataSource, Config config, Executor blocking, MeterRegistry metrics) {
    JournalTables simulationTables = JournalTables.simulations(config);
    JournalTables serviceTables = JournalTables.services(config);
    this.ids = new JournalIds(dataSource, simulationTables, serviceTables, blocking);
    this.simulations = new JournalRemover(dataSource, simulationTables, blocking, removedCounter(metrics, "simulation"))
        .alsoDeleting(SimulationSummaryHandler.SUMMARY, SimulationSummaryHandler.MODELS);
    this.services = new JournalRemover(dataSource, serviceTables, blocking, removedCounter(metrics, "service"));
    this.summaries = new SimulationSummaries(dataSource, blocking);
  }

  /** Opens the pool on {@code tugboat.database} (call once per node, after the schema exists). */
  public static JournalQueries start(ActorSystem<?> system, MeterRegistry metrics) {
    Config config = system.settings().config();
    HikariDataSource dataSource = dataSource(config);
    system.getWhenTerminated().thenRun(dataSource::close);
    return new JournalQueries(dataSource, config,
        system.dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER)), metrics);
  }

  /** Whether an entity exists, asked of the journal without starting it. */
  public JournalIds ids() {
    return ids;
  }

  /** The simulation list, read from its read model. */
  public SimulationSummaries summaries() {
    return summaries;
  }

  EntityRemoval simulations() {
    return simulations;
  }

  EntityRemoval services() {
    return services;
  }

  private static Counter removedCounter(MeterRegistry metrics, String kind) {
    return Counter.builder("tugboat.retention.removed").tag("kind", kind)
        .description("entities removed from the journal after ended-retention").register(metrics);
  }

  private static HikariDataSource dataSource(Config config) {
    Config db = config.getConfig("tugboat.database");
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("tugboat-journal-queries");
    hikari.setDriverClassName(db.getString("driver"));
    hikari.setJdbcUrl(db.getString("url"));
    hikari.setUsername(db.getString("user"));
    hikari.setPassword(db.getString("password"));
    hikari.setMaximumPoolSize(db.getInt("query-connections"));
    hikari.setMinimumIdle(1);
    hikari.setAutoCommit(false);
    // Fail on use, not at start-up: a query that fails is answered as a failure and asked again.
    hikari.setInitializationFailTimeout(-1);
    return new HikariDataSource(hikari);
  }
}
