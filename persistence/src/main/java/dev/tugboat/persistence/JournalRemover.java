package dev.tugboat.persistence;

import io.micrometer.core.instrument.Counter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The {@link EntityRemoval} of one kind of entity: plain JDBC DELETEs keyed by persistence id on
 * its own tables ({@link JournalTables}), and of the read-model rows keyed by its entity id
 * ({@link #alsoDeleting}), in one transaction on a JDBC executor, never an actor dispatcher. Each
 * removal that found events counts once in {@code tugboat.retention.removed{kind}}.
 */
final class JournalRemover implements EntityRemoval {

  private final DataSource dataSource;
  private final Executor blocking;
  private final Counter removed;
  private final String deleteTags;
  private final String deleteEvents;
  private final String deleteSnapshots;
  private final JournalTables tables;
  /** DELETEs of read-model rows, each keyed by the entity id (the persistence id without its entity key). */
  private final List<String> deleteReadModel;

  JournalRemover(DataSource dataSource, JournalTables tables, Executor blocking, Counter removed) {
    this(dataSource, tables, blocking, removed, List.of());
  }

  private JournalRemover(DataSource dataSource, JournalTables tables, Executor blocking, Counter removed,
      List<String> deleteReadModel) {
    this.dataSource = dataSource;
    this.tables = tables;
    this.deleteReadModel = List.copyOf(deleteReadModel);
    this.blocking = blocking;
    this.removed = removed;
    // The tag rows would cascade with their events; deleted first anyway, so a schema without the
    // foreign key keeps none either.
    this.deleteTags = "DELETE FROM \"" + tables.tag() + "\" WHERE \"event_id\" IN (SELECT \"ordering\" FROM \""
        + tables.journal() + "\" WHERE \"persistence_id\" = ?)";
    this.deleteEvents = "DELETE FROM \"" + tables.journal() + "\" WHERE \"persistence_id\" = ?";
    this.deleteSnapshots = "DELETE FROM \"" + tables.snapshot() + "\" WHERE \"persistence_id\" = ?";
  }

  /** This remover, also deleting the rows of each of {@code readModelTables} whose simulation_id is the entity's id. */
  JournalRemover alsoDeleting(String... readModelTables) {
    List<String> deletes = new ArrayList<>(deleteReadModel);
    for (String table : readModelTables) {
      deletes.add("DELETE FROM \"" + table + "\" WHERE \"simulation_id\" = ?");
    }
    return new JournalRemover(dataSource, tables, blocking, removed, deletes);
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
          String entityId = persistenceId.substring(persistenceId.indexOf(PersistenceId.DefaultSeparator()) + 1);
          for (String delete : deleteReadModel) {
            update(c, delete, entityId);
          }
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
