package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.typed.PersistenceId;
import com.typesafe.config.ConfigValueFactory;
import com.zaxxer.hikari.HikariDataSource;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceReply;
import dev.tugboat.protocol.service.ServiceView;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationReply;
import dev.tugboat.protocol.simulation.SimulationView;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.projection.ProjectionBehavior;
import org.awaitility.Awaitility;

/**
 * Runs both entities and the notification projection on the real jdbc journal, stops the
 * ActorSystem, starts a new one on the same database and checks that the state came back and
 * that a notification journaled but never acknowledged by the broker is published after the
 * restart, once: the shared body of the H2 and PostgreSQL ITs.
 */
final class JournalRoundTrip {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private JournalRoundTrip() {}

  static Config config(String kind, String url, String user, String password) {
    Config base = ConfigFactory.empty()
        .withValue("tugboat.database.kind", ConfigValueFactory.fromAnyRef(kind))
        .withValue("tugboat.database.url", ConfigValueFactory.fromAnyRef(url))
        .withValue("tugboat.database.user", ConfigValueFactory.fromAnyRef(user))
        .withValue("tugboat.database.password", ConfigValueFactory.fromAnyRef(password))
        .withValue("tugboat.database.max-connections", ConfigValueFactory.fromAnyRef(4))
        .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
        .withFallback(ConfigFactory.defaultReference());
    return JournalConfig.withDatabase(base);
  }

  static void run(Config config) throws Exception {
    String sim = "sim02-abc";
    ServiceSpec spec = ServiceSpec.of("204-asd", sim, new ModelSpec("m0", "img:1", List.of()), 1.0);
    EntitySettings settings = EntitySettings.fromConfig(config).withClock(Clock.systemUTC());

    ActorTestKit first = ActorTestKit.create("JournalFirst", config);
    try {
      JournalSchema.createIfNotExists(first.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      // Idempotent: a second run over the existing tables succeeds.
      JournalSchema.createIfNotExists(first.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      Parts p = new Parts(first, spec, settings);
      deployOneReadyModel(first, p, spec);

      // The projection reads ModelsReadyQueued from the journal and publishes it; the "broker"
      // never acknowledges it before the node goes away.
      p.startProjection();
      var unacknowledged = p.notifier.expectMessageClass(NotifierCommand.Publish.class, WAIT);
      assertEquals(new Notification.ModelsReady(sim), unacknowledged.notification());
      assertEquals(1, unacknowledged.id());
      // Not delivered: its tag row stays, so the next projection finds it.
      assertEquals(1, tagRows(config, p.notifications.tags().tagFor(sim)));

      // A snapshot of an empty service past its last event: a service that loaded it would come
      // back unknown. Services recover from their events alone (ServiceEntity.recovery).
      TestProbe<Object> saved = first.createTestProbe();
      Persistence.get(first.system().classicSystem())
          .snapshotStoreFor(config.getString("pekko.persistence.snapshot-store.plugin"), ConfigFactory.empty())
          .tell(new SnapshotProtocol.SaveSnapshot(SnapshotMetadata.apply(
                  PersistenceId.of(ServiceEntity.ENTITY_KEY.name(), spec.serviceId().entityId()).id(), 1000, 0),
              new ServiceState.Empty(spec.serviceId())), Adapter.toClassic(saved.ref()));
      saved.expectMessageClass(SaveSnapshotSuccess.class, WAIT);
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("JournalSecond", config);
    try {
      Parts p = new Parts(second, spec, settings);
      SimulationView v = view(second, p.simulation);
      assertEquals(SimulationView.Phase.READY, v.phase());
      assertEquals("204-asd", v.simulatorId());
      assertEquals(1, v.models().size());
      assertEquals(1, v.pendingNotifications());
      awaitServicePhase(second, p.service, ServiceView.Phase.CREATED);

      // ModelsReady was never acknowledged, so its offset was never stored: published again.
      ActorRef<ProjectionBehavior.Command> projection = p.startProjection();
      var publish = p.notifier.expectMessageClass(NotifierCommand.Publish.class, WAIT);
      assertEquals(new Notification.ModelsReady(sim), publish.notification());
      publish.replyTo().tell(new PublishResult.Published(publish.id()));
      awaitSimulation(second, p.simulation, view -> view.modelsReadySent() && view.pendingNotifications() == 0);

      // The last model ends: AllModelsHaveTerminated goes out only after ModelHasTerminated was acknowledged.
      p.simulation.tell(new SimulationCommand.ReportServiceTerminated("m0", TerminationStatus.FAILED, 2, "Error",
          replies(second)));
      var terminated = p.notifier.expectMessageClass(NotifierCommand.Publish.class, WAIT);
      assertEquals(new Notification.ModelHasTerminated(sim, "m0", TerminationStatus.FAILED, 2),
          terminated.notification());
      p.notifier.expectNoMessage(Duration.ofMillis(300));
      terminated.replyTo().tell(new PublishResult.Published(terminated.id()));
      var all = p.notifier.expectMessageClass(NotifierCommand.Publish.class, WAIT);
      assertEquals(new Notification.AllModelsHaveTerminated(sim), all.notification());
      all.replyTo().tell(new PublishResult.Published(all.id()));
      awaitSimulation(second, p.simulation, view -> view.phase() == SimulationView.Phase.ENDED
          && view.allModelsHaveTerminatedSent() && view.pendingNotifications() == 0);

      // Delivered groups take their tag rows with them (TagPruner); the events stay in the journal.
      String tag = p.notifications.tags().tagFor(sim);
      Awaitility.await().atMost(WAIT).until(() -> tagRows(config, tag) == 0);

      // Every offset is stored: a restarted projection publishes nothing again.
      second.stop(projection, WAIT);
      p.startProjection();
      p.notifier.expectNoMessage(Duration.ofSeconds(1));
    } finally {
      second.shutdownTestKit();
    }
  }

  /**
   * An older Tugboat kept the simulations' events, tags and snapshots in the shared tables: the
   * schema step moves them to the simulations' own (keeping their orderings, so the stored
   * offsets stay right), the simulation recovers from there, its pending notification is
   * published once, and its next event's ordering follows every ordering the shared table gave.
   */
  static void upgrade(Config config) throws Exception {
    String sim = "sim03-upg";
    ServiceSpec spec = ServiceSpec.of("204-asd", sim, new ModelSpec("m0", "img:1", List.of()), 1.0);
    EntitySettings settings = EntitySettings.fromConfig(config).withClock(Clock.systemUTC());
    String simulations = "\"persistence_id\" = 'Simulation|" + sim + "'";
    long sharedMax;
    List<Long> orderings;

    ActorTestKit old = ActorTestKit.create("JournalOld", config);
    try {
      JournalSchema.createIfNotExists(old.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      Parts p = new Parts(old, spec, settings, "");
      deployOneReadyModel(old, p, spec);
      orderings = longs(config, "SELECT \"ordering\" FROM \"event_journal\" WHERE " + simulations
          + " ORDER BY \"ordering\"");
      assertTrue(!orderings.isEmpty(), "the old wiring journaled the simulation in event_journal");
      sharedMax = longs(config, "SELECT MAX(\"ordering\") FROM \"event_journal\"").get(0);
    } finally {
      old.shutdownTestKit();
    }

    JournalSchema.create(config);
    assertEquals(List.of(), longs(config, "SELECT \"ordering\" FROM \"event_journal\" WHERE " + simulations));
    assertEquals(orderings, longs(config, "SELECT \"ordering\" FROM \"simulation_journal\" WHERE " + simulations
        + " ORDER BY \"ordering\""));
    NotificationSettings notifications = NotificationSettings.fromConfig(config);
    String tag = notifications.tags().tagFor(sim);
    assertEquals(1, tagRows(config, tag));
    // Once the simulations' table holds events, the step leaves everything as it is.
    JournalSchema.create(config);
    assertEquals(orderings, longs(config, "SELECT \"ordering\" FROM \"simulation_journal\" ORDER BY \"ordering\""));

    ActorTestKit upgraded = ActorTestKit.create("JournalUpgraded", config);
    try {
      Parts p = new Parts(upgraded, spec, settings);
      SimulationView v = view(upgraded, p.simulation);
      assertEquals(SimulationView.Phase.READY, v.phase());
      assertEquals(1, v.pendingNotifications());
      awaitServicePhase(upgraded, p.service, ServiceView.Phase.CREATED);

      p.startProjection();
      var publish = p.notifier.expectMessageClass(NotifierCommand.Publish.class, WAIT);
      assertEquals(new Notification.ModelsReady(sim), publish.notification());
      publish.replyTo().tell(new PublishResult.Published(publish.id()));
      awaitSimulation(upgraded, p.simulation, view -> view.modelsReadySent() && view.pendingNotifications() == 0);
      p.notifier.expectNoMessage(Duration.ofMillis(500));
      List<Long> after = longs(config, "SELECT \"ordering\" FROM \"simulation_journal\" WHERE " + simulations
          + " AND \"ordering\" > " + orderings.get(orderings.size() - 1));
      assertTrue(!after.isEmpty() && after.stream().allMatch(o -> o > sharedMax),
          "new simulation events " + after + " come after every ordering of event_journal (" + sharedMax + ")");
    } finally {
      upgraded.shutdownTestKit();
    }
  }

  /** Deploys the simulation of {@code spec}'s one model, creates its pod and reports it ready. */
  private static void deployOneReadyModel(ActorTestKit kit, Parts p, ServiceSpec spec) {
    TestProbe<CommandReply> replies = kit.createTestProbe(CommandReply.class);
    p.simulation.tell(new SimulationCommand.Deploy(spec.simulatorId(), List.of(new ModelSpec("m0", "img:1", List.of())),
        1.0, replies.ref()));
    assertInstanceOf(CommandReply.Accepted.class, replies.receiveMessage(WAIT));
    p.service.tell(new ServiceCommand.Create(spec, replies.ref()));
    assertInstanceOf(CommandReply.Accepted.class, replies.receiveMessage(WAIT));
    p.gateway.expectMessageClass(KubernetesCommand.CreatePod.class, WAIT).replyTo()
        .tell(new PodCallResult.Succeeded(spec.podName(), "created"));
    p.simulation.tell(new SimulationCommand.ReportModelReady("m0", replies.ref()));
    assertInstanceOf(CommandReply.Accepted.class, replies.receiveMessage(WAIT));
    awaitServicePhase(kit, p.service, ServiceView.Phase.CREATED);
  }

  private static List<Long> longs(Config config, String query) throws Exception {
    Config db = config.getConfig("tugboat.database");
    try (Connection c = DriverManager.getConnection(db.getString("url"), db.getString("user"), db.getString("password"));
         PreparedStatement q = c.prepareStatement(query);
         ResultSet rs = q.executeQuery()) {
      List<Long> out = new java.util.ArrayList<>();
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
      return out;
    }
  }

  /** The rows of {@code tag} in the simulations' tag table. */
  private static int tagRows(Config config, String tag) throws Exception {
    Config db = config.getConfig("tugboat.database");
    try (Connection c = DriverManager.getConnection(db.getString("url"), db.getString("user"), db.getString("password"));
         PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM \"simulation_tag\" WHERE \"tag\" = ?")) {
      count.setString(1, tag);
      try (ResultSet rs = count.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** The simulation's view, which it must have (recovered or not). */
  private static SimulationView view(ActorTestKit kit, ActorRef<SimulationCommand> simulation) {
    TestProbe<SimulationReply> reply = kit.createTestProbe(SimulationReply.class);
    simulation.tell(new SimulationCommand.Get(reply.ref()));
    return assertInstanceOf(SimulationReply.Found.class, reply.receiveMessage(WAIT)).simulation();
  }

  private static ActorRef<CommandReply> replies(ActorTestKit kit) {
    return kit.createTestProbe(CommandReply.class).ref();
  }

  private static void awaitSimulation(ActorTestKit kit, ActorRef<SimulationCommand> simulation,
      java.util.function.Predicate<SimulationView> condition) {
    TestProbe<SimulationReply> probe = kit.createTestProbe(SimulationReply.class);
    Awaitility.await().atMost(WAIT).until(() -> {
      simulation.tell(new SimulationCommand.Get(probe.ref()));
      return probe.receiveMessage(WAIT) instanceof SimulationReply.Found f && condition.test(f.simulation());
    });
  }

  private static void awaitServicePhase(ActorTestKit kit, ActorRef<ServiceCommand> service, ServiceView.Phase phase) {
    TestProbe<ServiceReply> probe = kit.createTestProbe(ServiceReply.class);
    Awaitility.await().atMost(WAIT).until(() -> {
      service.tell(new ServiceCommand.Get(probe.ref()));
      return probe.receiveMessage(WAIT) instanceof ServiceReply.Found f && f.service().phase() == phase;
    });
  }

  /**
   * The two entities, the probes standing in for their collaborators (the notifier stands in for
   * the MQTT broker) and the projection of the simulation's slice, in one ActorSystem.
   */
  private static final class Parts {
    final ActorTestKit kit;
    final TestProbe<KubernetesCommand> gateway;
    final TestProbe<NotifierCommand> notifier;
    final ActorRef<SimulationCommand> simulation;
    final ActorRef<ServiceCommand> service;
    final NotificationSettings notifications;
    final String simulationId;

    Parts(ActorTestKit kit, ServiceSpec spec, EntitySettings settings) {
      this(kit, spec, settings, kit.system().settings().config().getString(SimulationEntity.JOURNAL_PLUGIN_SETTING));
    }

    /** {@code simulationJournal}: "" for the default journal, as Tugboat kept simulations before their own tables. */
    Parts(ActorTestKit kit, ServiceSpec spec, EntitySettings settings, String simulationJournal) {
      this.kit = kit;
      ProbeDirectory directory = new ProbeDirectory(kit);
      gateway = kit.createTestProbe(KubernetesCommand.class);
      notifier = kit.createTestProbe(NotifierCommand.class);
      notifications = NotificationSettings.fromConfig(kit.system().settings().config());
      simulationId = spec.simulationId();
      TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe(ClusterSharding.ShardCommand.class);
      simulation = kit.spawn(SimulationEntity.create(spec.simulationId(),
          SimulationWiring.of(directory, settings, notifications.tags(), TestSupport.sealer()), simulationJournal,
          shard.ref()));
      service = kit.spawn(ServiceEntity.create(spec.serviceId(), directory, gateway.ref(), settings, shard.ref()));
    }

    /** Runs the projection of the simulation's tag here (the node runs it under Sharded Daemon Process). */
    ActorRef<ProjectionBehavior.Command> startProjection() {
      HikariDataSource offsets = NotificationProjection.offsetStoreDataSource(kit.system().settings().config(),
          notifications);
      kit.system().getWhenTerminated().thenRun(offsets::close);
      EntityDirectory entities = new EntityDirectory() {
        @Override
        public RecipientRef<SimulationCommand> simulation(String id) {
          return simulation;
        }

        @Override
        public RecipientRef<ServiceCommand> service(ServiceId serviceId) {
          return service;
        }

        @Override
        public RecipientRef<HostedCommand> hostedService(String name) {
          throw new AssertionError("no hosted service is looked up by the projection");
        }
      };
      return kit.spawn(ProjectionBehavior.create(NotificationProjection.projection(kit.system(),
          notifications.tags().tagFor(simulationId), entities, notifier.ref(), notifications, offsets)));
    }
  }
}
