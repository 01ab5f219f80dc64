package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notification tag count and the simulations' journal plugin are recorded on a deployment's
 * first start; a later start that configures another value is refused, naming the setting, the
 * stored and the configured value, and changes nothing. On H2 and on PostgreSQL.
 */
class FixedSettingsIT {

  private static EmbeddedPostgres pg;
  private static int databases;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = EmbeddedPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    pg.close();
  }

  private static Config h2(Path dir) {
    return JournalRoundTrip.config("h2", "jdbc:h2:file:" + dir.resolve("tugboat").toAbsolutePath(), "sa", "");
  }

  private static Config postgres() throws Exception {
    String database = "fixed" + databases++;
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    return JournalRoundTrip.config("postgres", pg.getJdbcUrl("postgres", database), "postgres", "postgres");
  }

  private static Config with(Config config, String key, Object value) {
    return config.withValue(key, ConfigValueFactory.fromAnyRef(value));
  }

  private static Map<String, String> recorded(Config config) throws Exception {
    Map<String, String> rows = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(config.getString("tugboat.database.url"),
        config.getString("tugboat.database.user"), config.getString("tugboat.database.password"));
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT \"name\", \"value\" FROM \"tugboat_settings\"")) {
      while (rs.next()) {
        rows.put(rs.getString(1), rs.getString(2));
      }
    }
    return rows;
  }

  private static void firstStartRecordsAndLaterStartsCompare(Config config) throws Exception {
    JournalSchema.create(config);
    Map<String, String> first = Map.of(FixedSettings.TAG_COUNT, "4",
        FixedSettings.SIMULATION_JOURNAL_PLUGIN, "tugboat-simulation-journal");
    assertEquals(first, recorded(config));

    JournalSchema.create(config); // the same values: starts
    JournalSchema.create(with(config, "tugboat.notifications.tag-count", "4")); // "4" is 4

    FixedSettings.Changed tags = assertThrows(FixedSettings.Changed.class,
        () -> JournalSchema.create(with(config, FixedSettings.TAG_COUNT, 8)));
    assertAll(
        () -> assertEquals(List.of(new FixedSettings.Change(FixedSettings.TAG_COUNT, "4", "8")), tags.changes()),
        () -> assertEquals("tugboat.notifications.tag-count is '8' in this node's configuration but '4' in the"
            + " database (recorded on the deployment's first start); it must never change on a running"
            + " deployment: set it back to '4'", tags.getMessage()),
        () -> assertFalse(tags.getMessage().contains("\n")));

    FixedSettings.Changed both = assertThrows(FixedSettings.Changed.class, () -> JournalSchema.create(
        with(with(config, FixedSettings.TAG_COUNT, 2), FixedSettings.SIMULATION_JOURNAL_PLUGIN, "")));
    assertEquals(List.of(new FixedSettings.Change(FixedSettings.TAG_COUNT, "4", "2"),
        new FixedSettings.Change(FixedSettings.SIMULATION_JOURNAL_PLUGIN, "tugboat-simulation-journal", "")),
        both.changes());
    assertTrue(both.getMessage().contains("tugboat.entities.simulation-journal-plugin is '' in this node's"
        + " configuration but 'tugboat-simulation-journal' in the database"), both.getMessage());

    assertEquals(first, recorded(config), "a refused start records nothing");
    JournalSchema.create(config);
  }

  /** A database an older Tugboat made (no tugboat_settings yet) records the values of its first start now. */
  private static void aDatabaseWithoutTheTableRecordsTheCurrentValues(Config config) throws Exception {
    JournalSchema.create(config);
    try (Connection c = DriverManager.getConnection(config.getString("tugboat.database.url"),
        config.getString("tugboat.database.user"), config.getString("tugboat.database.password"));
         Statement s = c.createStatement()) {
      s.execute("DROP TABLE \"tugboat_settings\"");
    }
    Config eight = with(config, FixedSettings.TAG_COUNT, 8);
    JournalSchema.create(eight);
    assertEquals("8", recorded(config).get(FixedSettings.TAG_COUNT));
    assertThrows(FixedSettings.Changed.class, () -> JournalSchema.create(config));
  }

  @Test
  void h2RecordsOnFirstStartAndRefusesAChange(@TempDir Path dir) throws Exception {
    firstStartRecordsAndLaterStartsCompare(h2(dir));
  }

  @Test
  void h2DatabaseOfAnOlderTugboat(@TempDir Path dir) throws Exception {
    aDatabaseWithoutTheTableRecordsTheCurrentValues(h2(dir));
  }

  @Test
  void postgresRecordsOnFirstStartAndRefusesAChange() throws Exception {
    firstStartRecordsAndLaterStartsCompare(postgres());
  }

  @Test
  void postgresDatabaseOfAnOlderTugboat() throws Exception {
    aDatabaseWithoutTheTableRecordsTheCurrentValues(postgres());
  }

  /** Replicas of a new deployment start together: they record one value, and one that differs is refused. */
  @Test
  void postgresReplicasStartingTogetherAgree() throws Exception {
    Config config = postgres();
    int nodes = 4;
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      CyclicBarrier start = new CyclicBarrier(nodes);
      List<CompletableFuture<Void>> started = new ArrayList<>();
      for (int n = 0; n < nodes; n++) {
        Config node = n == nodes - 1 ? with(config, FixedSettings.TAG_COUNT, 16) : config;
        started.add(CompletableFuture.runAsync(() -> {
          try {
            start.await(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          JournalSchema.create(node);
        }, pool));
      }
      int refused = 0;
      for (CompletableFuture<Void> node : started) {
        try {
          node.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          assertTrue(e.getCause() instanceof FixedSettings.Changed, e.getCause().toString());
          refused++;
        }
      }
      String tags = recorded(config).get(FixedSettings.TAG_COUNT);
      assertEquals(tags.equals("16") ? nodes - 1 : 1, refused, "recorded " + tags);
    } finally {
      pool.shutdownNow();
    }
  }
}
