package dev.tugboat.demo;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.node.TugboatNode;
import dev.tugboat.persistence.JournalSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchClusterTest {

  @Test
  void theSchemaIsMadeWithTheSettingsTheNodesThenCompare(@TempDir Path dir) throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg"))
        .setCleanDataDirectory(true).start()) {
      String url = postgres.getJdbcUrl("postgres", "postgres");
      assertDoesNotThrow(() -> JournalSchema.create(BenchCluster.schemaConfig(url)));
      // A node's start makes the schema again with its own configuration: no fixed setting differs.
      assertDoesNotThrow(() -> JournalSchema.create(TugboatNode.loadConfig(ConfigFactory.parseMap(Map.of(
          "tugboat.mode", "production", "tugboat.data-dir", dir.resolve("node").toString(),
          "tugboat.database.kind", "postgres", "tugboat.database.url", url,
          "tugboat.database.user", "postgres", "tugboat.database.password", "postgres")))));
    }
  }
}
