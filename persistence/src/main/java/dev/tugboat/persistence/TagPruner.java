package dev.tugboat.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the tag rows ({@code simulation_tag}) of one notification slice that its projection has delivered.
 *
 * <p>Why: pekko-persistence-jdbc's {@code eventsByTag} joins the journal with {@code event_tag}
 * filtered by tag, and H2 plans that join as a scan of the whole tag table (there is no index
 * on the tag) with a sub-query per row. Every poll (each {@code refresh-interval}, per slice)
 * then costs time proportional to every notification ever journaled: the node slows down, and
 * notifications wait longer, the longer it runs. A tag row is only needed until the projection
 * has published and recorded its event, so the projection removes its own rows once a group is
 * delivered; the table keeps only what is in flight and a poll stays cheap forever. The events
 * themselves stay in the journal (the simulations recover from them); only their index entry for
 * {@code eventsByTag} goes. A projection restarted from an older stored offset therefore does not
 * publish again what was already delivered and recorded, which only lowers the duplicates.
 */
final class TagPruner {

  private static final Logger log = LoggerFactory.getLogger(TagPruner.class);
  private final DataSource dataSource;
  private final String deleteSql;
  private final Executor blocking;

  /**
   * @param tagTable the tag table of the journal the projection reads ({@code simulation_tag})
   * @param blocking where the DELETE runs (a JDBC dispatcher, never an actor dispatcher)
   */
  TagPruner(DataSource dataSource, String tagTable, Executor blocking) {
    if (!tagTable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("tag table name '" + tagTable + "' is not a plain SQL identifier");
    }
    this.dataSource = dataSource;
    this.deleteSql = "DELETE FROM \"" + tagTable + "\" WHERE \"tag\" = ? AND \"event_id\" <= ?";
    this.blocking = blocking;
  }

  /** Deletes the rows of {@code tag} whose event's ordering is at most {@code upToOrdering}; completes with the count. */
  CompletionStage<Integer> prune(String tag, long upToOrdering) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        try (PreparedStatement delete = c.prepareStatement(deleteSql)) {
          delete.setString(1, tag);
          delete.setLong(2, upToOrdering);
          int deleted = delete.executeUpdate();
          c.commit();
          return deleted;
        } catch (SQLException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        log.warn("notification slice {}: delivered tag rows up to ordering {} not removed (tried again after the "
            + "next group): {}", tag, upToOrdering, e.getMessage());
        throw new IllegalStateException(e);
      }
    }, blocking);
  }
}
