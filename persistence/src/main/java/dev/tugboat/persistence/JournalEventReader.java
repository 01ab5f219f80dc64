package dev.tugboat.persistence;

import dev.tugboat.protocol.events.LifecycleEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.serialization.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.util.Try;

/**
 * Reads one journal table by ordering for the event stream: plain JDBC on the ordering's unique
 * index, each Simulation or Service event deserialized with Pekko's serialization (the journal's
 * own) and pictured as a {@link LifecycleEvent}; every other row (Cluster Sharding's own events,
 * which share the default journal) is read only for its ordering.
 */
final class JournalEventReader {
  private static final Logger log = LoggerFactory.getLogger(JournalEventReader.class);

  private static final String SIMULATION_PREFIX = SimulationEntity.ENTITY_KEY.name() + PersistenceId.DefaultSeparator();
  private static final String SERVICE_PREFIX = ServiceEntity.ENTITY_KEY.name() + PersistenceId.DefaultSeparator();

  private final String table;
  private final String rowsAfter;
  private final String highest;
  private final String lowest;
  private final String countBetween;
  private final Serialization serialization;

  JournalEventReader(String table, Serialization serialization) {
    this.table = table;
    this.serialization = serialization;
    this.rowsAfter = "SELECT \"ordering\", \"persistence_id\", \"deleted\", \"event_ser_id\","
        + " \"event_ser_manifest\", \"event_payload\" FROM \"" + table + "\""
        + " WHERE \"ordering\" > ? AND \"ordering\" <= ? ORDER BY \"ordering\" LIMIT ?";
    this.countBetween = "SELECT COUNT(*) FROM \"" + table + "\" WHERE \"ordering\" > ? AND \"ordering\" < ?";
    this.highest = "SELECT COALESCE(MAX(\"ordering\"), 0) FROM \"" + table + "\"";
    // Walks the ordering index from the bottom to the first entity row: Cluster Sharding's own rows
    // share the default table and are never removed, so they do not count as retained events.
    this.lowest = "SELECT \"ordering\" FROM \"" + table + "\" WHERE \"persistence_id\" LIKE '" + SIMULATION_PREFIX
        + "%' OR \"persistence_id\" LIKE '" + SERVICE_PREFIX + "%' ORDER BY \"ordering\" LIMIT 1";
  }

  String table() {
    return table;
  }

  /** At most {@code limit} rows with {@code after < ordering <= upTo}, ascending. */
  List<JournalRow> rows(Connection c, long after, long upTo, int limit) throws SQLException {
    List<JournalRow> rows = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(rowsAfter)) {
      s.setLong(1, after);
      s.setLong(2, upTo);
      s.setInt(3, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          long ordering = rs.getLong(1);
          String persistenceId = rs.getString(2);
          boolean deleted = rs.getBoolean(3);
          LifecycleEvent event = deleted ? null
              : event(persistenceId, ordering, rs.getInt(4), rs.getString(5), rs.getBytes(6));
          rows.add(new JournalRow(ordering, event));
        }
      }
    }
    return rows;
  }

  /** The highest ordering in the table, 0 when it is empty. */
  long highest(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(highest)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The lowest ordering of an entity event still in the table (older ones were removed); empty when there is none. */
  OptionalLong lowest(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(lowest)) {
      return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
    }
  }

  /** How many rows have an ordering strictly between {@code after} and {@code before}. */
  long rowsBetween(Connection c, long after, long before) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(countBetween)) {
      s.setLong(1, after);
      s.setLong(2, before);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private LifecycleEvent event(String persistenceId, long ordering, int serializerId, String manifest, byte[] payload) {
    boolean simulation = persistenceId.startsWith(SIMULATION_PREFIX);
    if (!simulation && !persistenceId.startsWith(SERVICE_PREFIX)) {
      return null;
    }
    Try<Object> read = serialization.deserialize(payload, serializerId, manifest);
    if (read.isFailure()) {
      // One unreadable row must not stop the stream for everyone; it is skipped and said so.
      log.warn("event stream: {} ordering {} ({}) cannot be read, skipped: {}", table, ordering, persistenceId,
          read.failed().get().toString());
      return null;
    }
    Object event = read.get();
    if (event instanceof SimulationEvent s) {
      return LifecycleEventMapping.of(s);
    }
    if (event instanceof ServiceEvent s) {
      return LifecycleEventMapping.of(s);
    }
    return null;
  }
}
