package dev.tugboat.persistence;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entities' state survives an ActorSystem restart on the H2 file journal. */
class JournalH2IT {

  @Test
  void stateIsRecoveredFromH2(@TempDir Path dir) throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("tugboat").toAbsolutePath();
    JournalRoundTrip.run(JournalRoundTrip.config("h2", url, "sa", ""));
  }

  @Test
  void simulationsKeptInTheSharedTablesMoveToTheirOwn(@TempDir Path dir) throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("tugboat").toAbsolutePath();
    JournalRoundTrip.upgrade(JournalRoundTrip.config("h2", url, "sa", ""));
  }
}
