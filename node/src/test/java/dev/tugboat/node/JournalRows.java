package dev.tugboat.node;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a node's journal tables straight from its database (the H2 file a test node writes, opened
 * in the same JVM, or PostgreSQL), so a test can say what was stored without asking an entity,
 * which would start one.
 */
final class JournalRows {
  private static final String SIMULATION_PREFIX = "Simulation|";

  private final String url;
  private final String user;
  private final String password;

  JournalRows(Config nodeConfig) {
    this.url = nodeConfig.getString("tugboat.database.url");
    this.user = nodeConfig.getString("tugboat.database.user");
    this.password = nodeConfig.getString("tugboat.database.password");
  }

  /** The simulation ids with at least one journaled event. */
  Set<String> simulationIds() throws SQLException {
    Set<String> ids = new TreeSet<>();
    for (String pid : persistenceIds("simulation_journal")) {
      if (pid.startsWith(SIMULATION_PREFIX)) {
        ids.add(pid.substring(SIMULATION_PREFIX.length()));
      }
    }
    return ids;
  }

  /** Every persistence id of one journal table (events of entities, or of sharding's shards). */
  Set<String> persistenceIds(String table) throws SQLException {
    Set<String> ids = new TreeSet<>();
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT DISTINCT \"persistence_id\" FROM \"" + table + "\"")) {
      while (r.next()) {
        ids.add(r.getString(1));
      }
    }
    return ids;
  }

  /** Rows of one journal table. */
  long rows(String table) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*) FROM \"" + table + "\"")) {
      r.next();
      return r.getLong(1);
    }
  }
}
