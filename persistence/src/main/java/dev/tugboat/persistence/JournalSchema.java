package dev.tugboat.persistence;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the journal and snapshot tables pekko-persistence-jdbc needs, idempotently, from the
 * shipped DDL ({@code schema/h2.sql} or {@code schema/postgres.sql}) over the configured url, and
 * moves the simulation events an older Tugboat kept in {@code event_journal} to the simulations'
 * own tables ({@link #moveSimulationEvents}), and records or checks the {@link FixedSettings}.
 * Runs on the blocking dispatcher; completes exceptionally when the database cannot be reached,
 * and with {@link FixedSettings.Changed} when the configuration changes a fixed setting.
 */
public final class JournalSchema {
  private static final Logger log = LoggerFactory.getLogger(JournalSchema.class);

  /** The PostgreSQL advisory lock key the nodes take turns on while creating the schema ("tugboat" in ASCII). */
  static final long SCHEMA_LOCK = 0x747567626f6174L;

  private JournalSchema() {}

  public static CompletionStage<Done> createIfNotExists(ActorSystem<?> system) {
    Config config = system.settings().config();
    return CompletableFuture.supplyAsync(() -> {
      create(config);
      return Done.getInstance();
    }, system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /**
   * Runs the DDL synchronously over {@code tugboat.database.url/user/password}, for code that is
   * not on an actor thread (start-up, or a tool preparing a database shared by several nodes).
   *
   * @throws FixedSettings.Changed when the configuration changes a setting the database recorded
   */
  public static void create(Config config) {
    JournalConfig.Kind kind = JournalConfig.kind(config);
    String url = config.getString("tugboat.database.url");
    List<String> statements = statements(kind == JournalConfig.Kind.POSTGRES ? "schema/postgres.sql" : "schema/h2.sql");
    try (Connection c = DriverManager.getConnection(url, config.getString("tugboat.database.user"),
        config.getString("tugboat.database.password"));
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      try {
        if (kind == JournalConfig.Kind.POSTGRES) {
          // Replicas start together. CREATE TABLE IF NOT EXISTS is not safe against a concurrent twin
          // in PostgreSQL (the loser fails on the catalog's unique index), so the nodes take turns:
          // one transaction under an advisory lock, released at commit; the next finds every table.
          s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
        }
        for (String sql : statements) {
          s.execute(sql);
        }
        // Before anything moves: a start that changes a fixed setting changes nothing.
        List<FixedSettings.Change> changes = FixedSettings.recordOrCompare(c, FixedSettings.configured(config));
        if (!changes.isEmpty()) {
          throw new FixedSettings.Changed(changes);
        }
        int moved = moveSimulationEvents(s, kind);
        c.commit();
        if (moved > 0) {
          log.info("journal schema at {}: moved {} simulation event(s) from event_journal to simulation_journal",
              redact(url), moved);
        }
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new CompletionException("creating the journal schema at " + redact(url) + " failed: " + e.getMessage(), e);
    }
  }

  /** Columns of the journal tables, in the DDL's names. */
  private static final String JOURNAL_COLUMNS = "\"ordering\", \"deleted\", \"persistence_id\", \"sequence_number\", "
      + "\"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", "
      + "\"event_ser_manifest\", \"meta_payload\", \"meta_ser_id\", \"meta_ser_manifest\"";
  private static final String SNAPSHOT_COLUMNS = "\"persistence_id\", \"sequence_number\", \"created\", "
      + "\"snapshot_ser_id\", \"snapshot_ser_manifest\", \"snapshot_payload\", \"meta_ser_id\", "
      + "\"meta_ser_manifest\", \"meta_payload\"";
  /** The persistence ids of Simulation entities ("Simulation|" + id). */
  private static final String SIMULATIONS = "\"persistence_id\" LIKE '"
      + SimulationEntity.ENTITY_KEY.name() + PersistenceId.DefaultSeparator() + "%'";

  /**
   * While {@code simulation_journal} is still empty (a new database, or the first start after an
   * upgrade): moves every Simulation event, tag and snapshot from the shared tables into the
   * simulations' own, keeping each event's ordering, and makes the new table's orderings continue
   * after every ordering {@code event_journal} ever gave. The notification projection's stored
   * offsets are such orderings, so it neither publishes a delivered notification again nor skips
   * a new one. Runs in the schema transaction (under the advisory lock on PostgreSQL); once the
   * simulations' table holds an event it does nothing.
   *
   * @return how many events were moved
   */
  static int moveSimulationEvents(Statement s, JournalConfig.Kind kind) throws SQLException {
    if (longOf(s, "SELECT COUNT(*) FROM \"simulation_journal\"") > 0) {
      return 0;
    }
    long floor = longOf(s, "SELECT COALESCE(MAX(\"ordering\"), 0) FROM \"event_journal\"");
    int moved = s.executeUpdate("INSERT INTO \"simulation_journal\" (" + JOURNAL_COLUMNS + ") SELECT " + JOURNAL_COLUMNS
        + " FROM \"event_journal\" WHERE " + SIMULATIONS);
    if (moved > 0) {
      s.executeUpdate("INSERT INTO \"simulation_tag\" (\"event_id\", \"tag\") SELECT t.\"event_id\", t.\"tag\" "
          + "FROM \"event_tag\" t JOIN \"simulation_journal\" j ON j.\"ordering\" = t.\"event_id\"");
      s.executeUpdate("DELETE FROM \"event_journal\" WHERE " + SIMULATIONS); // its event_tag rows cascade
    }
    s.executeUpdate("INSERT INTO \"simulation_snapshot\" (" + SNAPSHOT_COLUMNS + ") SELECT " + SNAPSHOT_COLUMNS
        + " FROM \"snapshot\" WHERE " + SIMULATIONS);
    s.executeUpdate("DELETE FROM \"snapshot\" WHERE " + SIMULATIONS);
    long next = floor + 1;
    if (kind == JournalConfig.Kind.POSTGRES) {
      // Only forward: a node already running may hold a value it has not committed yet.
      long current = longOf(s, "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END"
          + " FROM public.simulation_journal_ordering_seq");
      if (next > current) {
        s.execute("SELECT setval('public.simulation_journal_ordering_seq', " + next + ", false)");
      }
    } else {
      s.execute("ALTER TABLE \"simulation_journal\" ALTER COLUMN \"ordering\" RESTART WITH " + next);
    }
    return moved;
  }

  private static long longOf(Statement s, String query) throws SQLException {
    try (ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static List<String> statements(String resource) {
    String text;
    try (InputStream in = JournalSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.strip().startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
    }
    for (String part : current.toString().split(";")) {
      if (!part.isBlank()) {
        out.add(part.strip());
      }
    }
    return out;
  }

  /** The url without query parameters, which may carry a password. */
  private static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?...";
  }
}
