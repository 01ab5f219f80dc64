package dev.tugboat.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Picks the journal database kind: layers {@code tugboat-h2.conf} or {@code tugboat-postgres.conf}
 * over a configuration according to {@code tugboat.database.kind} (or a {@code jdbc:postgresql:}
 * url), so the Slick profile and JDBC driver always match the url. Fails at start-up on a mismatch.
 */
public final class JournalConfig {

  /** The supported databases. */
  public enum Kind { H2, POSTGRES }

  private JournalConfig() {}

  /** The kind named by the configuration; a {@code jdbc:postgresql:} url means POSTGRES. */
  public static Kind kind(Config config) {
    String url = config.getString("tugboat.database.url");
    if (url.startsWith("jdbc:postgresql:")) {
      return Kind.POSTGRES;
    }
    String kind = config.getString("tugboat.database.kind").trim().toLowerCase(Locale.ROOT);
    return switch (kind) {
      case "h2" -> Kind.H2;
      case "postgres", "postgresql" -> Kind.POSTGRES;
      default -> throw new IllegalArgumentException(
          "tugboat.database.kind must be h2 or postgres, got '" + kind + "'");
    };
  }

  /**
   * Returns {@code config} (loaded, resolved or not) with the profile and driver of its kind,
   * resolved. Call it on the node's configuration before creating the ActorSystem.
   */
  public static Config withDatabase(Config config) {
    Config resolved = config.resolve();
    Kind kind = kind(resolved);
    String resource = kind == Kind.POSTGRES ? "tugboat-postgres.conf" : "tugboat-h2.conf";
    Config result = ConfigFactory.parseResources(JournalConfig.class.getClassLoader(), resource)
        .withFallback(config)
        .resolve();
    String url = result.getString("tugboat.database.url");
    if (kind == Kind.POSTGRES && !url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "tugboat.database.kind = postgres needs tugboat.database.url (TUGBOAT_DB_URL) = jdbc:postgresql:..., got '"
              + url + "'");
    }
    if (kind == Kind.H2 && !url.startsWith("jdbc:h2:")) {
      throw new IllegalArgumentException(
          "tugboat.database.kind = h2 needs a jdbc:h2: url, got '" + url + "'");
    }
    if (kind == Kind.H2) {
      url = withoutCloseOnExit(url);
      result = result.withValue("tugboat.database.url", ConfigValueFactory.fromAnyRef(url));
    }
    // Set the Slick keys explicitly: a configuration resolved before the tugboat.database values
    // were overridden would otherwise keep the substitutions' old values.
    Config db = result.getConfig("tugboat.database");
    int connections = db.getInt("max-connections");
    int simulationConnections = db.getInt("simulation-connections");
    int shardingConnections = db.getInt("sharding-connections");
    if (connections < 1 || simulationConnections < 1 || shardingConnections < 1) {
      throw new IllegalArgumentException("tugboat.database.max-connections, tugboat.database.simulation-connections"
          + " and tugboat.database.sharding-connections must be at least 1, got " + connections + ", "
          + simulationConnections + " and " + shardingConnections);
    }
    result = withPool(result, "slick", db, url, connections);
    result = withPool(result, "simulations", db, url, simulationConnections);
    return withPool(result, "sharding", db, url, shardingConnections);
  }

  /**
   * H2 closes a database in its own JVM shutdown hook, which runs beside Pekko's coordinated
   * shutdown: the journal, projections and sharding then fail on a closed database while the node
   * stops. With DB_CLOSE_ON_EXIT=FALSE the node closes it itself ({@link #closeDatabase}), after
   * its actor system terminated. A url that sets DB_CLOSE_ON_EXIT keeps its own value.
   */
  static String withoutCloseOnExit(String h2Url) {
    if (h2Url.toUpperCase(Locale.ROOT).contains(";DB_CLOSE_ON_EXIT=")) {
      return h2Url;
    }
    return h2Url + ";DB_CLOSE_ON_EXIT=FALSE";
  }

  /**
   * Closes an H2 journal database ({@code SHUTDOWN}), so its files are left consistent; call it
   * after the actor system terminated, once nothing uses the pools. Does nothing for PostgreSQL.
   */
  public static void closeDatabase(Config config) throws SQLException {
    if (kind(config) != Kind.H2) {
      return;
    }
    Config db = config.getConfig("tugboat.database");
    try (Connection c = DriverManager.getConnection(db.getString("url"), db.getString("user"),
        db.getString("password"));
         Statement s = c.createStatement()) {
      s.execute("SHUTDOWN");
    }
  }

  /** One shared database of pekko-persistence-jdbc: this kind's profile and driver, the url, its pool size. */
  private static Config withPool(Config config, String name, Config db, String url, int connections) {
    String pool = "pekko-persistence-jdbc.shared-databases." + name + ".";
    return config
        .withValue(pool + "profile", ConfigValueFactory.fromAnyRef(db.getString("profile")))
        .withValue(pool + "db.url", ConfigValueFactory.fromAnyRef(url))
        .withValue(pool + "db.user", ConfigValueFactory.fromAnyRef(db.getString("user")))
        .withValue(pool + "db.password", ConfigValueFactory.fromAnyRef(db.getString("password")))
        .withValue(pool + "db.driver", ConfigValueFactory.fromAnyRef(db.getString("driver")))
        // Slick needs numThreads = maxConnections to avoid deadlocks.
        .withValue(pool + "db.numThreads", ConfigValueFactory.fromAnyRef(connections))
        .withValue(pool + "db.maxConnections", ConfigValueFactory.fromAnyRef(connections));
  }
}
