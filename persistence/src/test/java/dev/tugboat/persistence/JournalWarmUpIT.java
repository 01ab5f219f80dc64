package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up warm-up on the H2 file journal: it finishes, and leaves no row in any journal table. */
class JournalWarmUpIT {

  @Test
  void recoversAndRoundTripsWithoutWritingAnything(@TempDir Path dir) throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("tugboat").toAbsolutePath();
    Config config = JournalRoundTrip.config("h2", url, "sa", "");
    ActorTestKit kit = ActorTestKit.create("JournalWarmUp", config);
    try {
      JournalSchema.createIfNotExists(kit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      JournalWarmUp.run(kit.system(), 16, Duration.ofSeconds(20));
      // Twice: the ids are free again, nothing was left behind by the first run.
      JournalWarmUp.run(kit.system(), 16, Duration.ofSeconds(20));
    } finally {
      kit.shutdownTestKit();
    }
    try (Connection c = DriverManager.getConnection(url, "sa", "");
         Statement s = c.createStatement()) {
      for (String table : new String[] {"event_journal", "simulation_journal", "snapshot", "simulation_snapshot"}) {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM \"" + table + "\"")) {
          rs.next();
          assertEquals(0, rs.getLong(1), table);
        }
      }
    }
  }
}
