package dev.tugboat.persistence;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The settings a deployment keeps for its whole life, because the journal already holds data laid
 * out by them: recorded in {@code tugboat_settings} on the deployment's first start and compared
 * on every later start, which is refused ({@link Changed}) when one of them differs.
 */
public final class FixedSettings {

  /**
   * Journaled events keep the notification tag they were written with: with another count a
   * simulation's notifications would be split over two slices.
   */
  public static final String TAG_COUNT = "tugboat.notifications.tag-count";
  /** The simulations' events live in that plugin's tables: with another one they are not found. */
  public static final String SIMULATION_JOURNAL_PLUGIN = SimulationEntity.JOURNAL_PLUGIN_SETTING;

  private FixedSettings() {}

  /** A fixed setting whose configured value is not the one the deployment recorded. */
  public record Change(String setting, String stored, String configured) {
    @Override
    public String toString() {
      return setting + " is '" + configured + "' in this node's configuration but '" + stored
          + "' in the database (recorded on the deployment's first start); it must never change on a"
          + " running deployment: set it back to '" + stored + "'";
    }
  }

  /** Refuses a start whose configuration changes a fixed setting; the message is one line. */
  public static final class Changed extends IllegalStateException {
    private final List<Change> changes;

    public Changed(List<Change> changes) {
      super(changes.stream().map(Change::toString).collect(Collectors.joining("; ")));
      this.changes = List.copyOf(changes);
    }

    public List<Change> changes() {
      return changes;
    }
  }

  /** The configured values of the fixed settings, in the form they are recorded in. */
  public static Map<String, String> configured(Config config) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put(TAG_COUNT, Integer.toString(config.getInt(TAG_COUNT)));
    values.put(SIMULATION_JOURNAL_PLUGIN, config.getString(SIMULATION_JOURNAL_PLUGIN));
    return values;
  }

  /**
   * Records each configured value the table does not hold yet and returns the ones that differ
   * from the recorded value. Runs in the caller's transaction (the schema's, under its lock on
   * PostgreSQL, so replicas starting together record one value).
   */
  static List<Change> recordOrCompare(Connection c, Map<String, String> configured) throws SQLException {
    Map<String, String> stored = new LinkedHashMap<>();
    try (PreparedStatement select = c.prepareStatement("SELECT \"name\", \"value\" FROM \"tugboat_settings\"");
         ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        stored.put(rs.getString(1), rs.getString(2));
      }
    }
    List<Change> changes = new ArrayList<>();
    try (PreparedStatement insert = c.prepareStatement(
        "INSERT INTO \"tugboat_settings\" (\"name\", \"value\") VALUES (?, ?)")) {
      for (Map.Entry<String, String> setting : configured.entrySet()) {
        String recorded = stored.get(setting.getKey());
        if (recorded == null) {
          insert.setString(1, setting.getKey());
          insert.setString(2, setting.getValue());
          insert.executeUpdate();
        } else if (!recorded.equals(setting.getValue())) {
          changes.add(new Change(setting.getKey(), recorded, setting.getValue()));
        }
      }
    }
    return changes;
  }
}
