package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JournalConfigTest {

  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference());
  }

  @Test
  void defaultsToAnH2FileUnderTheDataDir() {
    Config c = JournalConfig.withDatabase(ConfigFactory.load());
    assertEquals(JournalConfig.Kind.H2, JournalConfig.kind(c));
    assertEquals("slick.jdbc.H2Profile$", c.getString("pekko-persistence-jdbc.shared-databases.slick.profile"));
    assertTrue(c.getString("pekko-persistence-jdbc.shared-databases.slick.db.url")
        .startsWith("jdbc:h2:file:./data/tugboat"));
    assertEquals("jdbc-journal", c.getString("pekko.persistence.journal.plugin"));
    assertEquals("on", c.getString("pekko.cluster.sharding.remember-entities"));
    assertEquals(20, c.getInt("pekko-persistence-jdbc.shared-databases.slick.db.numThreads"));
    assertEquals("h2-dialect", c.getString("pekko.projection.jdbc.dialect"));
    assertEquals(Duration.ofMillis(10), c.getDuration("jdbc-read-journal.refresh-interval"));
    Duration queryDelay = c.getDuration("jdbc-read-journal.journal-sequence-retrieval.query-delay");
    assertEquals(Duration.ofMillis(50), queryDelay);
    // Each query that still sees a gap counts: few enough that a permanent gap (a killed node's
    // lost write) does not hold the notifications for minutes under load.
    assertEquals(200, c.getInt("jdbc-read-journal.journal-sequence-retrieval.max-tries"));
    // A gap in the ordering is waited for at least 10 s before eventsByTag skips it.
    assertTrue(queryDelay.multipliedBy(c.getInt("jdbc-read-journal.journal-sequence-retrieval.max-tries"))
        .compareTo(Duration.ofSeconds(10)) >= 0);
  }

  @Test
  void postgresUrlSelectsThePostgresProfileEvenOnAResolvedConfig() {
    Config c = JournalConfig.withDatabase(with("tugboat.database.url = \"jdbc:postgresql://db:5432/tugboat\""));
    assertEquals(JournalConfig.Kind.POSTGRES, JournalConfig.kind(c));
    assertEquals("slick.jdbc.PostgresProfile$", c.getString("pekko-persistence-jdbc.shared-databases.slick.profile"));
    assertEquals("org.postgresql.Driver", c.getString("pekko-persistence-jdbc.shared-databases.slick.db.driver"));
    assertEquals("jdbc:postgresql://db:5432/tugboat",
        c.getString("pekko-persistence-jdbc.shared-databases.slick.db.url"));
    assertEquals("postgres-dialect", c.getString("pekko.projection.jdbc.dialect"));
  }

  @Test
  void simulationsWriteThroughASecondJdbcJournalOnTablesAndAPoolOfTheirOwn() {
    Config c = JournalConfig.withDatabase(with("tugboat.database.url = \"jdbc:postgresql://db:5432/tugboat\"\n"
        + "tugboat.database.max-connections = 8\ntugboat.database.simulation-connections = 3"));
    String plugin = c.getString(SimulationEntity.JOURNAL_PLUGIN_SETTING);
    assertEquals("tugboat-simulation-journal", plugin);
    assertEquals(c.getString("jdbc-journal.class"), c.getString(plugin + ".class"));
    assertEquals("simulations", c.getString(plugin + ".use-shared-db"));
    assertEquals("simulation_journal", c.getString(plugin + ".tables.event_journal.tableName"));
    assertEquals("simulation_tag", c.getString(plugin + ".tables.event_tag.tableName"));
    assertEquals(c.getConfig("jdbc-journal.tables.event_journal.columnNames"),
        c.getConfig(plugin + ".tables.event_journal.columnNames"));
    assertEquals(c.getString("jdbc-journal.dao"), c.getString(plugin + ".dao"));
    // The notification projection reads exactly those tables, on the main pool.
    String reads = NotificationProjection.readJournalPlugin(c);
    assertEquals("tugboat-simulation-read-journal", reads);
    assertEquals(c.getString("jdbc-read-journal.class"), c.getString(reads + ".class"));
    assertEquals(c.getConfig(plugin + ".tables.event_journal"), c.getConfig(reads + ".tables.event_journal"));
    assertEquals(c.getConfig(plugin + ".tables.event_tag"), c.getConfig(reads + ".tables.event_tag"));
    assertEquals("slick", c.getString(reads + ".use-shared-db"));
    assertEquals(c.getDuration("jdbc-read-journal.refresh-interval"), c.getDuration(reads + ".refresh-interval"));
    assertEquals(c.getDuration("jdbc-read-journal.journal-sequence-retrieval.query-delay"),
        c.getDuration(reads + ".journal-sequence-retrieval.query-delay"));
    String snapshots = c.getString(SimulationEntity.SNAPSHOT_PLUGIN_SETTING);
    assertEquals("tugboat-simulation-snapshot-store", snapshots);
    assertEquals(c.getString("jdbc-snapshot-store.class"), c.getString(snapshots + ".class"));
    assertEquals("simulations", c.getString(snapshots + ".use-shared-db"));
    assertEquals("simulation_snapshot", c.getString(snapshots + ".tables.snapshot.tableName"));

    String pool = "pekko-persistence-jdbc.shared-databases.";
    for (String name : new String[] {"slick", "simulations"}) {
      assertEquals("jdbc:postgresql://db:5432/tugboat", c.getString(pool + name + ".db.url"), name);
      assertEquals("org.postgresql.Driver", c.getString(pool + name + ".db.driver"), name);
      assertEquals("slick.jdbc.PostgresProfile$", c.getString(pool + name + ".profile"), name);
      assertEquals(c.getInt(pool + name + ".db.numThreads"), c.getInt(pool + name + ".db.maxConnections"), name);
    }
    assertEquals(8, c.getInt(pool + "slick.db.maxConnections"));
    assertEquals(3, c.getInt(pool + "simulations.db.maxConnections"));
  }

  @Test
  void shardingRemembersItsEntitiesThroughTheJdbcPluginsOnTheDefaultTablesAndAPoolOfItsOwn() {
    Config c = JournalConfig.withDatabase(with("tugboat.database.url = \"jdbc:postgresql://db:5432/tugboat\"\n"
        + "tugboat.database.max-connections = 8\ntugboat.database.sharding-connections = 3"));
    assertEquals("eventsourced", c.getString("pekko.cluster.sharding.remember-entities-store"));
    String journal = c.getString("pekko.cluster.sharding.journal-plugin-id");
    assertEquals("tugboat-sharding-journal", journal);
    // The same plugin, tables and columns as the default journal: the shards' logs written before
    // the pool of their own are read as they were, and an older node can still read them.
    assertEquals(c.getString("jdbc-journal.class"), c.getString(journal + ".class"));
    assertEquals(c.getString("jdbc-journal.dao"), c.getString(journal + ".dao"));
    assertEquals(c.getConfig("jdbc-journal.tables"), c.getConfig(journal + ".tables"));
    assertEquals("sharding", c.getString(journal + ".use-shared-db"));
    String snapshots = c.getString("pekko.cluster.sharding.snapshot-plugin-id");
    assertEquals("tugboat-sharding-snapshot-store", snapshots);
    assertEquals(c.getString("jdbc-snapshot-store.class"), c.getString(snapshots + ".class"));
    assertEquals(c.getConfig("jdbc-snapshot-store.tables"), c.getConfig(snapshots + ".tables"));
    assertEquals("sharding", c.getString(snapshots + ".use-shared-db"));
    // The default plugins keep the main pool.
    assertEquals("slick", c.getString("jdbc-journal.use-shared-db"));
    assertEquals("slick", c.getString("jdbc-snapshot-store.use-shared-db"));

    String pool = "pekko-persistence-jdbc.shared-databases.sharding.";
    assertEquals("jdbc:postgresql://db:5432/tugboat", c.getString(pool + "db.url"));
    assertEquals("org.postgresql.Driver", c.getString(pool + "db.driver"));
    assertEquals("slick.jdbc.PostgresProfile$", c.getString(pool + "profile"));
    assertEquals(3, c.getInt(pool + "db.maxConnections"));
    assertEquals(3, c.getInt(pool + "db.numThreads"));
    assertEquals(8, c.getInt("pekko-persistence-jdbc.shared-databases.slick.db.maxConnections"));
    assertEquals(2, JournalConfig.withDatabase(with("")).getInt(pool + "db.maxConnections"));
  }

  @Test
  void aFailoverRecoversTwoHundredEntitiesAtOncePerNode() {
    Config c = JournalConfig.withDatabase(with("tugboat.database.url = \"jdbc:postgresql://db:5432/tugboat\""));
    assertEquals(200, c.getInt("pekko.persistence.max-concurrent-recoveries"));
  }

  @Test
  void aPoolWithoutConnectionsFailsAtStartUp() {
    assertThrows(IllegalArgumentException.class,
        () -> JournalConfig.withDatabase(with("tugboat.database.simulation-connections = 0")));
    IllegalArgumentException sharding = assertThrows(IllegalArgumentException.class,
        () -> JournalConfig.withDatabase(with("tugboat.database.sharding-connections = 0")));
    assertTrue(sharding.getMessage().contains("tugboat.database.sharding-connections"), sharding.getMessage());
  }

  @Test
  void mismatchedKindAndUrlFailAtStartUp() {
    assertThrows(IllegalArgumentException.class, () -> JournalConfig.withDatabase(with("tugboat.database.kind = postgres")));
    assertThrows(IllegalArgumentException.class, () -> JournalConfig.withDatabase(with("tugboat.database.kind = oracle")));
  }

  @Test
  void schemaFilesSplitIntoStatements() {
    // Journal, its ordering index, tags, snapshots, the same four for the simulations; the
    // projection's offset store, its index, management; the fixed settings; the simulation list's
    // summary table with its three indexes and its per-model table.
    assertEquals(17, JournalSchema.statements("schema/h2.sql").size());
    assertEquals(17, JournalSchema.statements("schema/postgres.sql").size());
  }

  @Test
  void theTagTableNameMustBeAPlainIdentifier() {
    assertThrows(IllegalArgumentException.class, () -> new TagPruner(null, "simulation_tag\" ; DROP TABLE x", Runnable::run));
    new TagPruner(null, "simulation_tag", Runnable::run);
  }

  @Test
  void simulationsOnTheDefaultJournalAreReadThroughTheDefaultReadJournal() {
    Config c = JournalConfig.withDatabase(with("tugboat.entities.simulation-journal-plugin = \"\""));
    assertEquals("jdbc-read-journal", NotificationProjection.readJournalPlugin(c));
    assertEquals("event_tag", c.getString("jdbc-read-journal.tables.event_tag.tableName"));
  }

  @Test
  void entitySettingsReadTheReferenceDefaults() {
    EntitySettings s = EntitySettings.fromConfig(ConfigFactory.load());
    assertEquals(Duration.ofSeconds(2), s.simulationTick());
    assertEquals(Duration.ofSeconds(5), s.serviceTick());
    assertEquals(Duration.ofSeconds(60), s.createRetryAfter());
    assertEquals(Duration.ofSeconds(60), s.podMissingGrace());
    assertEquals(30, s.logTailLines());
    assertEquals(Duration.ofSeconds(10), s.askTimeout());
    assertEquals(Duration.ofSeconds(5), s.lateReadyGrace());
    assertThrows(IllegalArgumentException.class, () -> EntitySettings.fromConfig(
        with("tugboat.entities.service-tick = 0s")));
    // 0 switches the late-ready wait off; a negative grace is refused.
    assertEquals(Duration.ZERO, EntitySettings.fromConfig(with("tugboat.entities.late-ready-grace = 0s"))
        .lateReadyGrace());
    assertThrows(IllegalArgumentException.class, () -> EntitySettings.fromConfig(
        with("tugboat.entities.late-ready-grace = -1s")));
  }

  @Test
  void endedRetentionDefaultsToSevenDaysAndZeroIsRefusedNamingTheSetting() {
    assertEquals(Duration.ofDays(7), EntitySettings.fromConfig(with("")).endedRetention());
    assertEquals(Duration.ofHours(36), EntitySettings.fromConfig(with("tugboat.entities.ended-retention = 36h"))
        .endedRetention());
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> EntitySettings.fromConfig(
        with("tugboat.entities.ended-retention = 0")));
    assertTrue(zero.getMessage().contains("tugboat.entities.ended-retention"), zero.getMessage());
  }

  @Test
  void endedIdleDefaultsToTwoMinutesZeroMeansAtOnceAndNegativeIsRefusedNamingTheSetting() {
    assertEquals(Duration.ofMinutes(2), EntitySettings.fromConfig(with("")).endedIdle());
    assertEquals(Duration.ZERO, EntitySettings.fromConfig(with("tugboat.entities.ended-idle = 0")).endedIdle());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> EntitySettings.fromConfig(
        with("tugboat.entities.ended-idle = -1s")));
    assertTrue(negative.getMessage().contains("tugboat.entities.ended-idle"), negative.getMessage());
  }

  @Test
  void notificationSettingsReadTheReferenceDefaults() {
    Config c = JournalConfig.withDatabase(ConfigFactory.load());
    NotificationSettings s = NotificationSettings.fromConfig(c);
    assertEquals(new NotificationTags(4), s.tags());
    assertEquals(500, s.groupSize());
    assertEquals(Duration.ofMillis(10), s.groupWithin());
    assertTrue(s.publishTimeout().compareTo(Duration.ofSeconds(30)) > 0, "longer than the MQTT publish-timeout");
    assertEquals(2, c.getInt("pekko.projection.jdbc.blocking-jdbc-dispatcher.thread-pool-executor.fixed-pool-size"));
    assertThrows(IllegalArgumentException.class, () -> NotificationSettings.fromConfig(
        with("tugboat.notifications.tag-count = 0")));
    assertThrows(IllegalArgumentException.class, () -> NotificationSettings.fromConfig(
        with("tugboat.notifications.group-size = 0")));
  }

  @Test
  void anH2UrlKeepsTheDatabaseOpenUntilTheNodeClosesIt() {
    Config c = JournalConfig.withDatabase(with("tugboat.database.url = \"jdbc:h2:mem:t;DB_CLOSE_DELAY=-1\""));
    assertEquals("jdbc:h2:mem:t;DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE", c.getString("tugboat.database.url"));
    assertEquals("jdbc:h2:mem:t;DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE",
        c.getString("pekko-persistence-jdbc.shared-databases.slick.db.url"));
    assertEquals("jdbc:h2:mem:t;db_close_on_exit=TRUE",
        JournalConfig.withoutCloseOnExit("jdbc:h2:mem:t;db_close_on_exit=TRUE"));
  }
}
