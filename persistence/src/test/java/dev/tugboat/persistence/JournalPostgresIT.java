package dev.tugboat.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

/** The entities' state survives an ActorSystem restart on a PostgreSQL journal (embedded server). */
class JournalPostgresIT {

  @Test
  void stateIsRecoveredFromPostgres() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
      String url = pg.getJdbcUrl("postgres", "postgres");
      JournalRoundTrip.run(JournalRoundTrip.config("postgres", url, "postgres", "postgres"));
    }
  }

  @Test
  void simulationsKeptInTheSharedTablesMoveToTheirOwn() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
      String url = pg.getJdbcUrl("postgres", "postgres");
      JournalRoundTrip.upgrade(JournalRoundTrip.config("postgres", url, "postgres", "postgres"));
    }
  }
}
