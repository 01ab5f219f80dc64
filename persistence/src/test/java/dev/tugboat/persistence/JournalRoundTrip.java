package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.service.ServiceReply;
import dev.tugboat.protocol.service.ServiceView;
import dev.tugboat.protocol.simulation.SimulationCommand;
import dev.tugboat.protocol.simulation.SimulationReply;
import dev.tugboat.protocol.simulation.SimulationView;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.awaitility.Awaitility;

/**
 * Runs both entities on the real jdbc journal, stops the ActorSystem, starts a new one on the same
 * database and checks that the state came back: the shared body of the H2 and PostgreSQL ITs.
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
      TestProbe<CommandReply> replies = first.createTestProbe(CommandReply.class);
      p.simulation.tell(new SimulationCommand.Deploy("204-asd", List.of(new ModelSpec("m0", "img:1", List.of())), 1.0,
          replies.ref()));
      assertInstanceOf(CommandReply.Accepted.class, replies.receiveMessage(WAIT));
      p.service.tell(new ServiceCommand.Create(spec, replies.ref()));
      assertInstanceOf(CommandReply.Accepted.class, replies.receiveMessage(WAIT));
      var create = p.gateway.expectMessageClass(KubernetesCommand.CreatePod.class, WAIT);
      create.replyTo().tell(new PodCallResult.Succeeded(spec.podName(), "created"));
      p.simulation.tell(new SimulationCommand.ReportModelReady("m0", replies.ref()));
      assertInstanceOf(CommandReply.Accepted.class, replies.receiveMessage(WAIT));
      awaitServicePhase(first, p.service, ServiceView.Phase.CREATED);
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("JournalSecond", config);
    try {
      Parts p = new Parts(second, spec, settings);
      TestProbe<SimulationReply> simReply = second.createTestProbe(SimulationReply.class);
      p.simulation.tell(new SimulationCommand.Get(simReply.ref()));
      SimulationView v = assertInstanceOf(SimulationReply.Found.class, simReply.receiveMessage(WAIT)).simulation();
      assertEquals(SimulationView.Phase.READY, v.phase());
      assertEquals("204-asd", v.simulatorId());
      assertEquals(1, v.models().size());
      // ModelsReady was never acknowledged: the recovered outbox publishes it again.
      var publish = p.notifier.expectMessageClass(NotifierCommand.Publish.class, WAIT);
      assertEquals(sim, publish.notification().simulationId());
      awaitServicePhase(second, p.service, ServiceView.Phase.CREATED);
    } finally {
      second.shutdownTestKit();
    }
  }

  private static void awaitServicePhase(ActorTestKit kit, ActorRef<ServiceCommand> service, ServiceView.Phase phase) {
    TestProbe<ServiceReply> probe = kit.createTestProbe(ServiceReply.class);
    Awaitility.await().atMost(WAIT).until(() -> {
      service.tell(new ServiceCommand.Get(probe.ref()));
      return probe.receiveMessage(WAIT) instanceof ServiceReply.Found f && f.service().phase() == phase;
    });
  }

  /** The two entities and the probes standing in for their collaborators, in one ActorSystem. */
  private static final class Parts {
    final TestProbe<KubernetesCommand> gateway;
    final TestProbe<NotifierCommand> notifier;
    final ActorRef<SimulationCommand> simulation;
    final ActorRef<ServiceCommand> service;

    Parts(ActorTestKit kit, ServiceSpec spec, EntitySettings settings) {
      ProbeDirectory directory = new ProbeDirectory(kit);
      gateway = kit.createTestProbe(KubernetesCommand.class);
      notifier = kit.createTestProbe(NotifierCommand.class);
      TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe(ClusterSharding.ShardCommand.class);
      simulation = kit.spawn(SimulationEntity.create(spec.simulationId(), directory, notifier.ref(), settings,
          shard.ref()));
      service = kit.spawn(ServiceEntity.create(spec.serviceId(), directory, gateway.ref(), settings, shard.ref()));
    }
  }
}
