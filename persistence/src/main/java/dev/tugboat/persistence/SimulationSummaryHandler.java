package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.DeploymentRejected;
import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationEvent.ServiceCreateAcknowledged;
import dev.tugboat.persistence.SimulationEvent.SimulationDeployed;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.simulation.ModelPhase;
import dev.tugboat.protocol.simulation.SimulationView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * Applies one group of a slice's simulation events to the read model
 * ({@code tugboat_simulation_summary}, {@code tugboat_simulation_model}) in the projection's own
 * transaction, the one that also stores its offset: each event counts exactly once, also across a
 * crash. The group's tag rows go in the same transaction (see {@link TagPruner} for why they
 * must not pile up). A model only ever moves to the phase {@link ModelPhase#of} gives for what was
 * journaled about it, so events in any order between one model's Create and its end count right.
 */
final class SimulationSummaryHandler extends JdbcHandler<List<EventEnvelope<SimulationEvent>>, OffsetStoreSession> {

  static final String SUMMARY = "tugboat_simulation_summary";
  static final String MODELS = "tugboat_simulation_model";

  private final String tag;
  private final String pruneTags;

  /** @param tagTable the tag table the slice's events are indexed in; its rows of {@code tag} go once applied */
  SimulationSummaryHandler(String tag, String tagTable) {
    if (!tagTable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("tag table name '" + tagTable + "' is not a plain SQL identifier");
    }
    this.tag = tag;
    this.pruneTags = "DELETE FROM \"" + tagTable + "\" WHERE \"tag\" = ? AND \"event_id\" <= ?";
  }

  @Override
  public void process(OffsetStoreSession session, List<EventEnvelope<SimulationEvent>> envelopes) throws Exception {
    session.withConnection(c -> {
      long upTo = -1;
      for (EventEnvelope<SimulationEvent> envelope : envelopes) {
        long ordering = envelope.offset() instanceof Sequence s ? s.value() : -1;
        apply(c, envelope.event(), ordering);
        upTo = Math.max(upTo, ordering);
      }
      if (upTo >= 0) {
        try (PreparedStatement delete = c.prepareStatement(pruneTags)) {
          delete.setString(1, tag);
          delete.setLong(2, upTo);
          delete.executeUpdate();
        }
      }
      return null;
    });
  }

  /** Applies one event; {@code ordering} (its journal ordering) becomes the sort key of a new simulation. */
  static void apply(Connection c, SimulationEvent event, long ordering) throws SQLException {
    if (event instanceof SimulationDeployed e) {
      Set<String> modelIds = new LinkedHashSet<>();
      for (ServiceSpec spec : e.services()) {
        modelIds.add(spec.modelId());
      }
      insertSummary(c, e.simulationId(), e.simulatorId(), SimulationView.Phase.DEPLOYING, modelIds.size(), 0,
          e.at().toEpochMilli(), null, ordering);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO \"" + MODELS + "\" (\"simulation_id\","
          + " \"model_id\", \"phase\", \"accepted\", \"ready\") VALUES (?, ?, ?, FALSE, FALSE)")) {
        for (String modelId : modelIds) {
          insert.setString(1, e.simulationId());
          insert.setString(2, modelId);
          insert.setString(3, ModelPhase.REQUESTED.name());
          insert.addBatch();
        }
        insert.executeBatch();
      }
    } else if (event instanceof DeploymentRejected e) {
      long at = e.at().toEpochMilli();
      insertSummary(c, e.simulationId(), e.simulatorId(), SimulationView.Phase.REJECTED, 0,
          new LinkedHashSet<>(e.modelIds()).size(), at, at, ordering);
    } else if (event instanceof ServiceCreateAcknowledged e) {
      moveModel(c, e.simulationId(), e.modelId(), true, false, null);
    } else if (event instanceof ModelReady e) {
      moveModel(c, e.simulationId(), e.modelId(), false, true, null);
    } else if (event instanceof ModelTerminated e) {
      moveModel(c, e.simulationId(), e.modelId(), false, false, e.status());
    } else if (event instanceof ModelsReadyQueued e) {
      update(c, "UPDATE \"" + SUMMARY + "\" SET \"phase\" = '" + SimulationView.Phase.READY.name()
          + "' WHERE \"simulation_id\" = ? AND \"phase\" = '" + SimulationView.Phase.DEPLOYING.name() + "'",
          e.simulationId());
    } else if (event instanceof AllModelsHaveTerminatedQueued e) {
      try (PreparedStatement end = c.prepareStatement("UPDATE \"" + SUMMARY + "\" SET \"phase\" = '"
          + SimulationView.Phase.ENDED.name() + "', \"ended_at\" = ? WHERE \"simulation_id\" = ?")) {
        end.setLong(1, e.at().toEpochMilli());
        end.setString(2, e.simulationId());
        end.executeUpdate();
      }
      // No model moves after its simulation ended; only the counts are kept.
      update(c, "DELETE FROM \"" + MODELS + "\" WHERE \"simulation_id\" = ?", e.simulationId());
    }
  }

  /**
   * A new simulation's row, replacing whatever an earlier simulation of the same id left (one
   * removed after retention whose rows a late event brought back).
   */
  private static void insertSummary(Connection c, String simulationId, String simulatorId, SimulationView.Phase phase,
      int requested, int failed, long deployedAt, Long endedAt, long sortKey) throws SQLException {
    update(c, "DELETE FROM \"" + MODELS + "\" WHERE \"simulation_id\" = ?", simulationId);
    update(c, "DELETE FROM \"" + SUMMARY + "\" WHERE \"simulation_id\" = ?", simulationId);
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO \"" + SUMMARY + "\" (\"simulation_id\","
        + " \"simulator_id\", \"phase\", \"requested\", \"starting\", \"ready\", \"succeeded\", \"failed\","
        + " \"deployed_at\", \"ended_at\", \"sort_key\") VALUES (?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?)")) {
      insert.setString(1, simulationId);
      insert.setString(2, simulatorId);
      insert.setString(3, phase.name());
      insert.setInt(4, requested);
      insert.setInt(5, failed);
      insert.setLong(6, deployedAt);
      if (endedAt == null) {
        insert.setNull(7, java.sql.Types.BIGINT);
      } else {
        insert.setLong(7, endedAt);
      }
      insert.setLong(8, sortKey);
      insert.executeUpdate();
    }
  }

  /** Records what the event says about the model and moves it from its old phase's count to its new one's. */
  private static void moveModel(Connection c, String simulationId, String modelId, boolean accepted, boolean ready,
      TerminationStatus ended) throws SQLException {
    ModelPhase from;
    boolean wasAccepted;
    boolean wasReady;
    try (PreparedStatement select = c.prepareStatement("SELECT \"phase\", \"accepted\", \"ready\" FROM \"" + MODELS
        + "\" WHERE \"simulation_id\" = ? AND \"model_id\" = ?")) {
      select.setString(1, simulationId);
      select.setString(2, modelId);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) {
          return; // not a model of this simulation, or its simulation ended or was removed
        }
        from = ModelPhase.valueOf(rs.getString(1));
        wasAccepted = rs.getBoolean(2);
        wasReady = rs.getBoolean(3);
      }
    }
    boolean nowAccepted = wasAccepted || accepted;
    boolean nowReady = wasReady || ready;
    boolean hasEnded = from == ModelPhase.SUCCEEDED || from == ModelPhase.FAILED;
    ModelPhase to = hasEnded ? from : ModelPhase.of(nowAccepted, nowReady, ended);
    try (PreparedStatement model = c.prepareStatement("UPDATE \"" + MODELS + "\" SET \"phase\" = ?, \"accepted\" = ?,"
        + " \"ready\" = ? WHERE \"simulation_id\" = ? AND \"model_id\" = ?")) {
      model.setString(1, to.name());
      model.setBoolean(2, nowAccepted);
      model.setBoolean(3, nowReady);
      model.setString(4, simulationId);
      model.setString(5, modelId);
      model.executeUpdate();
    }
    if (to != from) {
      String fromColumn = column(from);
      String toColumn = column(to);
      update(c, "UPDATE \"" + SUMMARY + "\" SET \"" + fromColumn + "\" = \"" + fromColumn + "\" - 1, \"" + toColumn
          + "\" = \"" + toColumn + "\" + 1 WHERE \"simulation_id\" = ?", simulationId);
    }
  }

  /** The summary column counting the models in {@code phase}. */
  static String column(ModelPhase phase) {
    return phase.name().toLowerCase(Locale.ROOT);
  }

  private static int update(Connection c, String sql, String simulationId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, simulationId);
      return s.executeUpdate();
    }
  }
}
