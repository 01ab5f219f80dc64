package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Three replicas of a Deployment start at once and each creates the schema: PostgreSQL's
 * {@code CREATE TABLE IF NOT EXISTS} is not safe against a concurrent twin (one of them fails on
 * the catalog's unique index), so the nodes must take turns.
 */
class JournalSchemaPostgresIT {

  private static final int NODES = 6;

  @Test
  void nodesCreatingTheSchemaAtOnceAllSucceed() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
      ExecutorService pool = Executors.newFixedThreadPool(NODES);
      try {
        for (int round = 0; round < 5; round++) {
          String database = "fresh" + round;
          try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
          }
          Config config = JournalRoundTrip.config("postgres", pg.getJdbcUrl("postgres", database), "postgres",
              "postgres");
          CyclicBarrier start = new CyclicBarrier(NODES);
          List<CompletableFuture<Void>> nodes = new ArrayList<>();
          for (int n = 0; n < NODES; n++) {
            nodes.add(CompletableFuture.runAsync(() -> {
              try {
                start.await(30, TimeUnit.SECONDS);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              JournalSchema.create(config);
            }, pool));
          }
          for (CompletableFuture<Void> node : nodes) {
            node.get(60, TimeUnit.SECONDS); // throws if any node's schema creation failed
          }
          try (Connection c = pg.getDatabase("postgres", database).getConnection();
               Statement s = c.createStatement();
               ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                   + " AND table_name IN ('event_journal', 'event_tag', 'snapshot', 'simulation_journal',"
                   + " 'simulation_tag', 'simulation_snapshot', 'pekko_projection_offset_store',"
                   + " 'pekko_projection_management', 'tugboat_settings')")) {
            assertTrue(rs.next());
            assertEquals(9, rs.getInt(1), "round " + round);
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
