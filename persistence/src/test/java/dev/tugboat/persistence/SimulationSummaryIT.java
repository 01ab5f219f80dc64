package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariDataSource;
import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.DeploymentRejected;
import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationEvent.ServiceCreateAcknowledged;
import dev.tugboat.persistence.SimulationEvent.SimulationDeployed;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.ModelPhase;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationSummary;
import dev.tugboat.protocol.simulation.SimulationView;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulation list's read model on the real journal database (H2 and PostgreSQL): events
 * applied by {@link SimulationSummaryHandler} become rows with the right phase and model counts
 * (also when a model's events come in an unusual order), {@link SimulationSummaries} pages them
 * newest first with filters, the retention's removal takes a simulation's row with it, and a
 * simulation entity's own journaled events reach the list through the projection of its slice.
 */
class SimulationSummaryIT {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

  @Test
  void readModelOnH2(@TempDir Path dir) throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("tugboat").toAbsolutePath();
    run(JournalRoundTrip.config("h2", url, "sa", ""));
  }

  @Test
  void readModelOnPostgres() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
      run(JournalRoundTrip.config("postgres", pg.getJdbcUrl("postgres", "postgres"), "postgres", "postgres"));
    }
  }

  private static void run(Config config) throws Exception {
    ActorTestKit kit = ActorTestKit.create("SimulationSummaryIT", config);
    try {
      JournalSchema.createIfNotExists(kit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      SimulationSummarySettings settings = SimulationSummarySettings.fromConfig(config);
      HikariDataSource pool = SimulationSummaryProjection.dataSource(config, settings);
      kit.system().getWhenTerminated().thenRun(pool::close);
      JournalQueries queries = JournalQueries.start(kit.system(), new SimpleMeterRegistry());
      eventsBecomeRowsAndPages(pool, queries);
      journaledEventsReachTheList(kit, config, settings, pool, queries);
    } finally {
      kit.shutdownTestKit();
    }
  }

  private static void eventsBecomeRowsAndPages(HikariDataSource pool, JournalQueries queries) throws Exception {
    apply(pool, List.of(
        envelope(10, new SimulationDeployed("sim-a", "so-1", 1.0, specs("sim-a", "m1", "m2", "m3"), T0)),
        envelope(11, new DeploymentRejected("sim-r", "so-2", "bad image", List.of("x", "y"), T0.plusSeconds(1))),
        envelope(12, new SimulationDeployed("sim-b", "so-1", 1.0, specs("sim-b", "m1"), T0.plusSeconds(2)))));
    apply(pool, List.of(
        // Ready before its Create's acknowledgement was journaled: READY, and the late ack changes nothing.
        envelope(13, new ModelReady("sim-a", "m1", T0.plusSeconds(3))),
        envelope(14, new ServiceCreateAcknowledged("sim-a", "m1", T0.plusSeconds(3))),
        envelope(15, new ServiceCreateAcknowledged("sim-a", "m2", T0.plusSeconds(3))),
        envelope(16, new ModelTerminated("sim-a", "m3", TerminationStatus.FAILED, 125, "no pod", 1, T0.plusSeconds(4))),
        envelope(17, new ModelTerminated("sim-a", "m1", TerminationStatus.SUCCEEDED, 0, "Completed", 2,
            T0.plusSeconds(5))),
        envelope(18, new ModelReady("sim-a", "m1", T0.plusSeconds(6))),
        envelope(19, new ModelTerminated("sim-a", "unknown", TerminationStatus.FAILED, 1, "x", 3, T0.plusSeconds(6))),
        envelope(20, new ModelReady("sim-b", "m1", T0.plusSeconds(7))),
        envelope(21, new ModelsReadyQueued("sim-b", 1, T0.plusSeconds(7))),
        envelope(22, new ModelTerminated("sim-b", "m1", TerminationStatus.SUCCEEDED, 0, "Completed", 2,
            T0.plusSeconds(8))),
        envelope(23, new AllModelsHaveTerminatedQueued("sim-b", 3, T0.plusSeconds(9)))));

    SimulationSummaries list = queries.summaries();
    SimulationSummaries.Page all = get(list.list(Optional.empty(), Optional.empty(), 50, OptionalLong.empty()));
    assertEquals(List.of("sim-b", "sim-r", "sim-a"), ids(all));
    assertEquals(OptionalLong.empty(), all.next());
    assertEquals(new SimulationSummary("sim-a", "so-1", SimulationView.Phase.DEPLOYING,
        Map.of(ModelPhase.STARTING, 1, ModelPhase.SUCCEEDED, 1, ModelPhase.FAILED, 1), T0, null), all.items().get(2));
    assertEquals(new SimulationSummary("sim-r", "so-2", SimulationView.Phase.REJECTED,
        Map.of(ModelPhase.FAILED, 2), T0.plusSeconds(1), T0.plusSeconds(1)), all.items().get(1));
    assertEquals(new SimulationSummary("sim-b", "so-1", SimulationView.Phase.ENDED,
        Map.of(ModelPhase.SUCCEEDED, 1), T0.plusSeconds(2), T0.plusSeconds(9)), all.items().get(0));
    assertEquals(0, count(pool, "SELECT COUNT(*) FROM \"tugboat_simulation_model\" WHERE \"simulation_id\" = 'sim-b'"),
        "an ended simulation keeps no model rows");

    // Pages of one, each below the last: no gap, no repeat.
    List<String> paged = new ArrayList<>();
    OptionalLong before = OptionalLong.empty();
    do {
      SimulationSummaries.Page page = get(list.list(Optional.empty(), Optional.empty(), 1, before));
      paged.addAll(ids(page));
      before = page.next();
    } while (before.isPresent());
    assertEquals(List.of("sim-b", "sim-r", "sim-a"), paged);

    assertEquals(List.of("sim-b"),
        ids(get(list.list(Optional.of(SimulationView.Phase.ENDED), Optional.empty(), 50, OptionalLong.empty()))));
    assertEquals(List.of("sim-b", "sim-a"),
        ids(get(list.list(Optional.empty(), Optional.of("so-1"), 50, OptionalLong.empty()))));
    assertEquals(List.of(),
        ids(get(list.list(Optional.of(SimulationView.Phase.READY), Optional.of("so-1"), 50, OptionalLong.empty()))));

    // The retention's removal of a simulation takes its rows with it.
    get(queries.simulations().remove("Simulation|sim-a"));
    assertEquals(List.of("sim-b", "sim-r"),
        ids(get(list.list(Optional.empty(), Optional.empty(), 50, OptionalLong.empty()))));
    assertEquals(0, count(pool, "SELECT COUNT(*) FROM \"tugboat_simulation_model\" WHERE \"simulation_id\" = 'sim-a'"));
  }

  /** A simulation entity journals with the read model's tag; its slice's projection lists it and prunes the tags. */
  private static void journaledEventsReachTheList(ActorTestKit kit, Config config, SimulationSummarySettings settings,
      HikariDataSource pool, JournalQueries queries) throws Exception {
    String sim = "sim-live";
    NotificationTags slices = NotificationSettings.fromConfig(config).tags();
    ProbeDirectory directory = new ProbeDirectory(kit);
    TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe(ClusterSharding.ShardCommand.class);
    ActorRef<SimulationCommand> simulation = kit.spawn(SimulationEntity.create(sim,
        SimulationWiring.of(directory, TestSupport.settings(Clock.systemUTC()), slices, TestSupport.sealer()),
        config.getString(SimulationEntity.JOURNAL_PLUGIN_SETTING), shard.ref()));
    TestProbe<CommandReply> replies = kit.createTestProbe(CommandReply.class);
    simulation.tell(new SimulationCommand.Deploy("so-live", List.of(new ModelSpec("m0", "img:1", List.of()),
        new ModelSpec("m1", "img:1", List.of())), 1.0, replies.ref()));
    assertInstanceOf(CommandReply.Accepted.class, replies.receiveMessage(WAIT));
    for (int i = 0; i < 2; i++) {
      directory.services.expectMessageClass(ServiceCommand.Create.class, WAIT).replyTo()
          .tell(new CommandReply.Accepted("created"));
    }
    simulation.tell(new SimulationCommand.ReportModelReady("m0", replies.ref()));
    assertInstanceOf(CommandReply.Accepted.class, replies.receiveMessage(WAIT));
    simulation.tell(new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.SUCCEEDED, 0, "Completed",
        replies.ref()));
    assertInstanceOf(CommandReply.Accepted.class, replies.receiveMessage(WAIT));

    String tag = SimulationSummaryProjection.tagFor(slices, sim);
    kit.spawn(ProjectionBehavior.create(SimulationSummaryProjection.projection(kit.system(), tag, settings, pool)));
    Awaitility.await().atMost(WAIT).until(() -> live(queries).map(s -> s.models().get(ModelPhase.SUCCEEDED) == 1
        && s.models().get(ModelPhase.STARTING) == 1).orElse(false));
    SimulationSummary deploying = live(queries).orElseThrow();
    assertEquals(SimulationView.Phase.DEPLOYING, deploying.phase());
    assertNull(deploying.endedAt());

    simulation.tell(new SimulationCommand.ReportServiceTerminated("m1", TerminationStatus.FAILED, 2, "Error",
        replies.ref()));
    assertInstanceOf(CommandReply.Accepted.class, replies.receiveMessage(WAIT));
    Awaitility.await().atMost(WAIT).until(() -> live(queries).map(s -> s.phase() == SimulationView.Phase.ENDED)
        .orElse(false));
    assertEquals(Map.of(ModelPhase.REQUESTED, 0, ModelPhase.STARTING, 0, ModelPhase.READY, 0,
        ModelPhase.SUCCEEDED, 1, ModelPhase.FAILED, 1), live(queries).orElseThrow().models());
    // Applied events leave no tag rows of the read model behind.
    Awaitility.await().atMost(WAIT).until(() -> count(pool,
        "SELECT COUNT(*) FROM \"simulation_tag\" WHERE \"tag\" = '" + tag + "'") == 0);
  }

  private static Optional<SimulationSummary> live(JournalQueries queries) throws Exception {
    return get(queries.summaries().list(Optional.empty(), Optional.of("so-live"), 1, OptionalLong.empty()))
        .items().stream().findFirst();
  }

  private static void apply(HikariDataSource pool, List<EventEnvelope<SimulationEvent>> envelopes) throws Exception {
    OffsetStoreSession session = new OffsetStoreSession(pool);
    try {
      new SimulationSummaryHandler("simulation-summary-test", "simulation_tag").process(session, envelopes);
      session.commit();
    } finally {
      session.close();
    }
  }

  private static EventEnvelope<SimulationEvent> envelope(long ordering, SimulationEvent event) {
    return EventEnvelope.create(Offset.sequence(ordering), "Simulation|" + event.simulationId(), ordering, event,
        event.at().toEpochMilli());
  }

  private static List<ServiceSpec> specs(String sim, String... models) {
    List<ServiceSpec> specs = new ArrayList<>();
    for (String m : models) {
      specs.add(ServiceSpec.of("so", sim, new ModelSpec(m, "img:1", List.of()), 1.0));
    }
    return specs;
  }

  private static List<String> ids(SimulationSummaries.Page page) {
    return page.items().stream().map(SimulationSummary::simulationId).toList();
  }

  private static long count(HikariDataSource pool, String sql) throws Exception {
    try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(sql);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      long n = rs.getLong(1);
      c.rollback();
      return n;
    }
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }
}
