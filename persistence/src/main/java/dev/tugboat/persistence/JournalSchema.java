package dev.tugboat.persistence;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * Creates the journal and snapshot tables pekko-persistence-jdbc needs, idempotently, from the
 * shipped DDL ({@code schema/h2.sql} or {@code schema/postgres.sql}) over the configured url.
 * Runs on the blocking dispatcher; completes exceptionally when the database cannot be reached.
 */
public final class JournalSchema {

  /** The PostgreSQL advisory lock key the nodes take turns on while creating the schema ("tugboat" in ASCII). */
  static final long SCHEMA_LOCK = 0x747567626f6174L;

  private JournalSchema() {}

  public static CompletionStage<Done> createIfNotExists(ActorSystem<?> system) {
    Config config = system.settings().config();
    return CompletableFuture.supplyAsync(() -> {
      create(config);
      return Done.getInstance();
    }, system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /**
   * Runs the DDL synchronously over {@code tugboat.database.url/user/password}, for code that is
   * not on an actor thread (start-up, or a tool preparing a database shared by several nodes).
   */
  public static void create(Config config) {
    JournalConfig.Kind kind = JournalConfig.kind(config);
    String url = config.getString("tugboat.database.url");
    List<String> statements = statements(kind == JournalConfig.Kind.POSTGRES ? "schema/postgres.sql" : "schema/h2.sql");
    try (Connection c = DriverManager.getConnection(url, config.getString("tugboat.database.user"),
        config.getString("tugboat.database.password"));
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      try {
        if (kind == JournalConfig.Kind.POSTGRES) {
          // Replicas start together. CREATE TABLE IF NOT EXISTS is not safe against a concurrent twin
          // in PostgreSQL (the loser fails on the catalog's unique index), so the nodes take turns:
          // one transaction under an advisory lock, released at commit; the next finds every table.
          s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
        }
        for (String sql : statements) {
          s.execute(sql);
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new CompletionException("creating the journal schema at " + redact(url) + " failed: " + e.getMessage(), e);
    }
  }

  static List<String> statements(String resource) {
    String text;
    try (InputStream in = JournalSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.strip().startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
    }
    for (String part : current.toString().split(";")) {
      if (!part.isBlank()) {
        out.add(part.strip());
      }
    }
    return out;
  }

  /** The url without query parameters, which may carry a password. */
  private static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?...";
  }
}
