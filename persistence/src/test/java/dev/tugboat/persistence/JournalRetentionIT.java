package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retention's JDBC on the real journal tables (H2 and PostgreSQL): the entities journal through
 * the jdbc plugins, then {@link JournalQueries} removes one simulation and one service; every row
 * of theirs is gone from every table (events, tags, snapshots) and the other simulation's rows are
 * untouched. The existence checks of the HTTP reads answer from the same tables.
 */
class JournalRetentionIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void removedEntitiesLeaveNoRowsOnH2(@TempDir Path dir) throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("tugboat").toAbsolutePath();
    removesOnlyTheRemovedEntitiesRows(JournalRoundTrip.config("h2", url, "sa", ""));
  }

  @Test
  void removedEntitiesLeaveNoRowsOnPostgres() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
      String url = pg.getJdbcUrl("postgres", "postgres");
      removesOnlyTheRemovedEntitiesRows(JournalRoundTrip.config("postgres", url, "postgres", "postgres"));
    }
  }

  private static void removesOnlyTheRemovedEntitiesRows(Config config) throws Exception {
    ActorTestKit kit = ActorTestKit.create("JournalRetentionIT", config);
    try {
      JournalSchema.createIfNotExists(kit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      EntitySettings settings = TestSupport.settings(Clock.systemUTC());
      for (String sim : List.of("gone-1", "kept-1")) {
        journal(kit, settings, sim);
      }
      for (String table : List.of("simulation_snapshot", "snapshot")) {
        for (String pid : List.of("Simulation|gone-1", "Simulation|kept-1", "Service|gone-1/m0", "Service|kept-1/m0")) {
          insertSnapshot(config, table, pid);
        }
      }
      SimpleMeterRegistry metrics = new SimpleMeterRegistry();
      JournalQueries queries = JournalQueries.start(kit.system(), metrics);
      assertTrue(get(queries.ids().simulationExists("gone-1")));
      assertTrue(get(queries.ids().serviceExists(new ServiceId("gone-1", "m0"))));
      assertFalse(get(queries.ids().simulationExists("never")));
      assertFalse(get(queries.ids().serviceExists(new ServiceId("gone-1", "m9"))));
      assertEquals(List.of("gone-1", "kept-1"),
          get(queries.ids().idleSimulations(Instant.now().plusSeconds(60), "", 10)));
      assertEquals(List.of("kept-1"), get(queries.ids().idleSimulations(Instant.now().plusSeconds(60), "gone-1", 10)));
      assertEquals(List.of(), get(queries.ids().idleSimulations(Instant.now().minusSeconds(3600), "", 10)));
      Counts keptBefore = counts(config, "kept-1");
      assertTrue(keptBefore.simulationEvents() > 0 && keptBefore.simulationTags() > 0 && keptBefore.serviceEvents() > 0,
          keptBefore.toString());

      assertTrue(get(queries.services().remove("Service|gone-1/m0")) > 0);
      assertTrue(get(queries.simulations().remove("Simulation|gone-1")) > 0);
      assertEquals(0, get(queries.simulations().remove("Simulation|gone-1")), "removing again finds nothing");

      assertEquals(new Counts(0, 0, 0, 0, 0), counts(config, "gone-1"));
      assertEquals(keptBefore, counts(config, "kept-1"));
      assertFalse(get(queries.ids().simulationExists("gone-1")));
      assertFalse(get(queries.ids().serviceExists(new ServiceId("gone-1", "m0"))));
      assertTrue(get(queries.ids().simulationExists("kept-1")));
      assertEquals(1.0, metrics.get("tugboat.retention.removed").tag("kind", "simulation").counter().count());
      assertEquals(1.0, metrics.get("tugboat.retention.removed").tag("kind", "service").counter().count());
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** A rejected simulation (tagged events) and a requested service of that simulation, journaled. */
  private static void journal(ActorTestKit kit, EntitySettings settings, String sim) {
    ProbeDirectory directory = new ProbeDirectory(kit);
    TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe(ClusterSharding.ShardCommand.class);
    TestProbe<CommandReply> replies = kit.createTestProbe(CommandReply.class);
    ActorRef<SimulationCommand> simulation = kit.spawn(SimulationEntity.create(sim,
        SimulationWiring.of(directory, settings, new NotificationTags(4), TestSupport.sealer()),
        kit.system().settings().config().getString(SimulationEntity.JOURNAL_PLUGIN_SETTING), shard.ref()));
    simulation.tell(new SimulationCommand.Deploy("204-asd", List.of(), 1.0, replies.ref()));
    assertInstanceOf(CommandReply.Rejected.class, replies.receiveMessage(WAIT));
    TestProbe<KubernetesCommand> gateway = kit.createTestProbe(KubernetesCommand.class);
    ServiceSpec spec = ServiceSpec.of("204-asd", sim, new ModelSpec("m0", "img:1", List.of()), 1.0);
    ActorRef<ServiceCommand> service = kit.spawn(ServiceEntity.create(spec.serviceId(), directory, gateway.ref(),
        settings, shard.ref()));
    service.tell(new ServiceCommand.Create(spec, replies.ref()));
    assertInstanceOf(CommandReply.Accepted.class, replies.receiveMessage(WAIT));
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Rows of one simulation id (and its service m0) in each table. */
  private record Counts(long simulationEvents, long simulationTags, long simulationSnapshots, long serviceEvents,
      long serviceSnapshots) {}

  private static Counts counts(Config config, String sim) throws Exception {
    String simPid = "Simulation|" + sim;
    String servicePid = "Service|" + sim + "/m0";
    return new Counts(
        count(config, "SELECT COUNT(*) FROM \"simulation_journal\" WHERE \"persistence_id\" = ?", simPid),
        count(config, "SELECT COUNT(*) FROM \"simulation_tag\" t JOIN \"simulation_journal\" j"
            + " ON j.\"ordering\" = t.\"event_id\" WHERE j.\"persistence_id\" = ?", simPid)
            + orphanTags(config),
        count(config, "SELECT COUNT(*) FROM \"simulation_snapshot\" WHERE \"persistence_id\" = ?", simPid),
        count(config, "SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" = ?", servicePid),
        count(config, "SELECT COUNT(*) FROM \"snapshot\" WHERE \"persistence_id\" = ?", servicePid));
  }

  /** Tag rows whose event is gone (none may be left behind by a removal). */
  private static long orphanTags(Config config) throws Exception {
    return count(config, "SELECT COUNT(*) FROM \"simulation_tag\" t WHERE NOT EXISTS (SELECT 1 FROM"
        + " \"simulation_journal\" j WHERE j.\"ordering\" = t.\"event_id\")");
  }

  private static long count(Config config, String sql, String... params) throws Exception {
    Config db = config.getConfig("tugboat.database");
    try (Connection c = DriverManager.getConnection(db.getString("url"), db.getString("user"), db.getString("password"));
         PreparedStatement q = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        q.setString(i + 1, params[i]);
      }
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void insertSnapshot(Config config, String table, String persistenceId) throws Exception {
    Config db = config.getConfig("tugboat.database");
    try (Connection c = DriverManager.getConnection(db.getString("url"), db.getString("user"), db.getString("password"));
         PreparedStatement insert = c.prepareStatement("INSERT INTO \"" + table + "\" (\"persistence_id\","
             + " \"sequence_number\", \"created\", \"snapshot_ser_id\", \"snapshot_ser_manifest\", \"snapshot_payload\")"
             + " VALUES (?, 1, 0, 1, '', ?)")) {
      insert.setString(1, persistenceId);
      insert.setBytes(2, new byte[] {1});
      insert.executeUpdate();
    }
  }
}
