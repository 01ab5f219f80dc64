package dev.tugboat.persistence;

import dev.tugboat.protocol.simulation.ModelPhase;
import dev.tugboat.protocol.simulation.SimulationSummary;
import dev.tugboat.protocol.simulation.SimulationView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Reads the simulation list from its read model ({@code tugboat_simulation_summary}, see
 * {@link SimulationSummaryProjection}): newest first, filtered by phase and simulator, one page at
 * a time keyed by the sort key (no OFFSET: every page costs one index range scan). Runs on the
 * small query pool's executor, never an actor dispatcher, and never touches an entity.
 */
public final class SimulationSummaries {

  /** One page, and the sort key to pass as {@code before} for the next one (empty on the last page). */
  public record Page(List<SimulationSummary> items, OptionalLong next) {
    public Page {
      items = List.copyOf(items);
    }
  }

  private final DataSource dataSource;
  private final Executor blocking;

  SimulationSummaries(DataSource dataSource, Executor blocking) {
    this.dataSource = dataSource;
    this.blocking = blocking;
  }

  /**
   * Up to {@code limit} simulations with a sort key below {@code before} (all when empty), newest
   * first; {@code phase} and {@code simulatorId} narrow the list when present.
   */
  public CompletionStage<Page> list(Optional<SimulationView.Phase> phase, Optional<String> simulatorId, int limit,
      OptionalLong before) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    StringBuilder sql = new StringBuilder("SELECT \"simulation_id\", \"simulator_id\", \"phase\", \"requested\","
        + " \"starting\", \"ready\", \"succeeded\", \"failed\", \"deployed_at\", \"ended_at\", \"sort_key\" FROM \""
        + SimulationSummaryHandler.SUMMARY + "\" WHERE 1 = 1");
    List<Object> params = new ArrayList<>();
    phase.ifPresent(p -> {
      sql.append(" AND \"phase\" = ?");
      params.add(p.name());
    });
    simulatorId.ifPresent(s -> {
      sql.append(" AND \"simulator_id\" = ?");
      params.add(s);
    });
    before.ifPresent(b -> {
      sql.append(" AND \"sort_key\" < ?");
      params.add(b);
    });
    // One more than asked: whether a next page exists, without a COUNT.
    sql.append(" ORDER BY \"sort_key\" DESC LIMIT ").append(limit + 1);
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = dataSource.getConnection();
          PreparedStatement s = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < params.size(); i++) {
          s.setObject(i + 1, params.get(i));
        }
        List<SimulationSummary> items = new ArrayList<>();
        long lastKey = 0;
        boolean more = false;
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            if (items.size() == limit) {
              more = true;
              break;
            }
            items.add(summary(rs));
            lastKey = rs.getLong(11);
          }
        }
        if (!c.getAutoCommit()) {
          c.rollback();
        }
        return new Page(items, more ? OptionalLong.of(lastKey) : OptionalLong.empty());
      } catch (SQLException e) {
        throw new IllegalStateException("listing simulations failed: " + e.getMessage(), e);
      }
    }, blocking);
  }

  private static SimulationSummary summary(ResultSet rs) throws SQLException {
    Map<ModelPhase, Integer> models = new EnumMap<>(ModelPhase.class);
    models.put(ModelPhase.REQUESTED, rs.getInt(4));
    models.put(ModelPhase.STARTING, rs.getInt(5));
    models.put(ModelPhase.READY, rs.getInt(6));
    models.put(ModelPhase.SUCCEEDED, rs.getInt(7));
    models.put(ModelPhase.FAILED, rs.getInt(8));
    long endedAt = rs.getLong(10);
    Instant ended = rs.wasNull() ? null : Instant.ofEpochMilli(endedAt);
    return new SimulationSummary(rs.getString(1), rs.getString(2), SimulationView.Phase.valueOf(rs.getString(3)),
        models, Instant.ofEpochMilli(rs.getLong(9)), ended);
  }
}
