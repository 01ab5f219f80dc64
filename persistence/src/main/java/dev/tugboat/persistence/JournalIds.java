package dev.tugboat.persistence;

import dev.tugboat.protocol.ServiceId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Which entities have a journal, asked of the journal tables without starting any entity: whether
 * one simulation or service exists (one primary-key lookup), and which simulations have journaled
 * nothing for a while (the retention sweep), and whether the database answers at all. Runs on a JDBC executor, never an actor dispatcher.
 */
public final class JournalIds {

  private static final String SIMULATION_PREFIX = SimulationEntity.ENTITY_KEY.name() + PersistenceId.DefaultSeparator();

  private final DataSource dataSource;
  private final Executor blocking;
  private final String simulationExists;
  private final String serviceExists;
  private final String idleSimulations;

  JournalIds(DataSource dataSource, JournalTables simulations, JournalTables services, Executor blocking) {
    this.dataSource = dataSource;
    this.blocking = blocking;
    // The primary key (persistence_id, sequence_number) answers these from its index.
    this.simulationExists = "SELECT 1 FROM \"" + simulations.journal() + "\" WHERE \"persistence_id\" = ? LIMIT 1";
    this.serviceExists = "SELECT 1 FROM \"" + services.journal() + "\" WHERE \"persistence_id\" = ? LIMIT 1";
    this.idleSimulations = "SELECT \"persistence_id\" FROM \"" + simulations.journal() + "\""
        + " WHERE \"persistence_id\" LIKE ? AND \"persistence_id\" > ?"
        + " GROUP BY \"persistence_id\" HAVING MAX(\"write_timestamp\") < ?"
        + " ORDER BY \"persistence_id\" LIMIT ?";
  }

  /** Whether the simulation {@code simulationId} has journaled anything (and was not removed since). */
  public CompletionStage<Boolean> simulationExists(String simulationId) {
    return exists(simulationExists, PersistenceId.of(SimulationEntity.ENTITY_KEY.name(), simulationId).id());
  }

  /** Whether the service {@code serviceId} has journaled anything (and was not removed since). */
  public CompletionStage<Boolean> serviceExists(ServiceId serviceId) {
    return exists(serviceExists, PersistenceId.of(ServiceEntity.ENTITY_KEY.name(), serviceId.entityId()).id());
  }

  /**
   * Completes when the journal database answers {@code SELECT 1} through this pool; fails with the
   * driver's message when it does not (the readiness check).
   */
  public CompletionStage<Void> ping() {
    return CompletableFuture.runAsync(() -> {
      try (Connection c = dataSource.getConnection();
          PreparedStatement s = c.prepareStatement("SELECT 1");
          ResultSet rs = s.executeQuery()) {
        rs.next();
        rollbackQuietly(c);
      } catch (SQLException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }, blocking);
  }

  /**
   * Up to {@code limit} simulation ids above {@code afterId} (in id order; "" for the first page)
   * whose last event was written before {@code before}.
   */
  CompletionStage<List<String>> idleSimulations(Instant before, String afterId, int limit) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = dataSource.getConnection();
          PreparedStatement s = c.prepareStatement(idleSimulations)) {
        s.setString(1, SIMULATION_PREFIX + "%"); // "Simulation|" holds neither % nor _
        s.setString(2, SIMULATION_PREFIX + afterId);
        s.setLong(3, before.toEpochMilli());
        s.setInt(4, limit);
        List<String> ids = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1).substring(SIMULATION_PREFIX.length()));
          }
        }
        rollbackQuietly(c);
        return ids;
      } catch (SQLException e) {
        throw new IllegalStateException("listing idle simulations failed: " + e.getMessage(), e);
      }
    }, blocking);
  }

  private CompletionStage<Boolean> exists(String sql, String persistenceId) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = dataSource.getConnection();
          PreparedStatement s = c.prepareStatement(sql)) {
        s.setString(1, persistenceId);
        boolean found;
        try (ResultSet rs = s.executeQuery()) {
          found = rs.next();
        }
        rollbackQuietly(c);
        return found;
      } catch (SQLException e) {
        throw new IllegalStateException("looking up " + persistenceId + " failed: " + e.getMessage(), e);
      }
    }, blocking);
  }

  /** The pool hands out connections with auto-commit off; a read ends its transaction before it goes back. */
  private static void rollbackQuietly(Connection c) throws SQLException {
    if (!c.getAutoCommit()) {
      c.rollback();
    }
  }
}
