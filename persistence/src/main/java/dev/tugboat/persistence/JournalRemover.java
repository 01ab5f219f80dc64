package dev.tugboat.persistence;

import io.micrometer.core.instrument.Counter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The {@link EntityRemoval} of one kind of entity: plain JDBC DELETEs keyed by persistence id on
 * its own tables ({@link JournalTables}), on a JDBC executor, never an actor dispatcher. Each
 * removal that found events counts once in {@code tugboat.retention.removed{kind}}.
 */
final class JournalRemover implements EntityRemoval {

  private final DataSource dataSource;
  private final Executor blocking;
  private final Counter removed;
  private final String deleteTags;
  private final String deleteEvents;
  private final String deleteSnapshots;

  JournalRemover(DataSource dataSource, JournalTables tables, Executor blocking, Counter removed) {
    this.dataSource = dataSource;
    this.blocking = blocking;
    this.removed = removed;
    // The tag rows would cascade with their events; deleted first anyway, so a schema without the
    // foreign key keeps none either.
    this.deleteTags = "DELETE FROM \"" + tables.tag() + "\" WHERE \"event_id\" IN (SELECT \"ordering\" FROM \""
        + tables.journal() + "\" WHERE \"persistence_id\" = ?)";
    this.deleteEvents = "DELETE FROM \"" + tables.journal() + "\" WHERE \"persistence_id\" = ?";
    this.deleteSnapshots = "DELETE FROM \"" + tables.snapshot() + "\" WHERE \"persistence_id\" = ?";
  }

  @Override
  public CompletionStage<Integer> remove(String persistenceId) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        try {
          update(c, deleteTags, persistenceId);
          int events = update(c, deleteEvents, persistenceId);
          update(c, deleteSnapshots, persistenceId);
          c.commit();
          if (events > 0) {
            removed.increment();
          }
          return events;
        } catch (SQLException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        throw new IllegalStateException("removing the journal rows of " + persistenceId + " failed: "
            + e.getMessage(), e);
      }
    }, blocking);
  }

  private static int update(Connection c, String sql, String persistenceId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, persistenceId);
      return s.executeUpdate();
    }
  }
}
