package dev.tugboat.persistence;

import com.typesafe.config.Config;

/**
 * The journal, tag and snapshot tables of one kind of entity, as its pekko-persistence-jdbc plugins
 * are configured: the simulations' own tables, or the default ones the services use.
 */
record JournalTables(String journal, String tag, String snapshot) {

  JournalTables {
    for (String table : new String[] {journal, tag, snapshot}) {
      if (table == null || !table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("journal table name '" + table + "' is not a plain SQL identifier");
      }
    }
  }

  /** The Simulation entities' tables (tugboat.entities.simulation-journal-plugin; "" = the default plugins). */
  static JournalTables simulations(Config config) {
    String journal = config.getString(SimulationEntity.JOURNAL_PLUGIN_SETTING);
    if (journal.isEmpty()) {
      return services(config);
    }
    return of(config, journal, config.getString(SimulationEntity.SNAPSHOT_PLUGIN_SETTING));
  }

  /** The default journal's tables, where the Service entities live. */
  static JournalTables services(Config config) {
    return of(config, config.getString("pekko.persistence.journal.plugin"),
        config.getString("pekko.persistence.snapshot-store.plugin"));
  }

  private static JournalTables of(Config config, String journalPlugin, String snapshotPlugin) {
    return new JournalTables(config.getString(journalPlugin + ".tables.event_journal.tableName"),
        config.getString(journalPlugin + ".tables.event_tag.tableName"),
        config.getString(snapshotPlugin + ".tables.snapshot.tableName"));
  }
}
