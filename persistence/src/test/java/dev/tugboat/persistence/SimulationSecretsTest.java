package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.SimulationEvent.SimulationDeployed;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.SecretEnvNames;
import dev.tugboat.protocol.SecretKey;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Secret environment values of a deployment (MQTT_PASSWORD) are sealed before the simulation
 * journals them, so neither its events nor its services' events hold them in plaintext, and a
 * re-delivered DeployModels is still recognised as the same one.
 */
class SimulationSecretsTest {
  private static final String PASSWORD = "hunter2-secret";
  private static ActorTestKit testKit;

  private final Sealer sealer = new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate());
  private ProbeDirectory directory;
  private TestProbe<ClusterSharding.ShardCommand> shard;
  private MutableClock clock;
  private String simulationId;
  private EventSourcedBehaviorTestKit<SimulationCommand, SimulationEvent, SimulationState> kit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("SimulationSecretsTest", TestSupport.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    directory = new ProbeDirectory(testKit);
    shard = testKit.createTestProbe(ClusterSharding.ShardCommand.class);
    simulationId = "sim-" + UUID.randomUUID().toString().substring(0, 8);
    kit = kitWith(sealer);
  }

  private EventSourcedBehaviorTestKit<SimulationCommand, SimulationEvent, SimulationState> kitWith(Sealer s) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        SimulationEntity.create(simulationId,
            SimulationWiring.of(directory, TestSupport.settings(clock), new NotificationTags(4), s), shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  private static List<ModelSpec> models(String password) {
    return List.of(new ModelSpec("m0", "registry/model:1", List.of(new EnvVar("MQTT_HOST", "broker"),
        new EnvVar("MQTT_PASSWORD", password), new EnvVar("MODEL_ID", "m0"))));
  }

  private CommandReply deploy(String password) {
    return kit.<CommandReply>runCommand(r -> new SimulationCommand.Deploy("204-asd", models(password), 1.0, r))
        .reply();
  }

  private static String cbor(Object o) {
    Serialization serialization = SerializationExtension.get(testKit.system());
    return new String(serialization.serialize(o).get(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void neitherTheSimulationNorItsServiceJournalsThePassword() {
    var result = kit.<CommandReply>runCommand(r -> new SimulationCommand.Deploy("204-asd", models(PASSWORD), 1.0, r));
    assertInstanceOf(CommandReply.Accepted.class, result.reply());
    SimulationDeployed deployed = (SimulationDeployed) result.event();
    EnvVar password = deployed.services().get(0).env().get(1);
    assertEquals("MQTT_PASSWORD", password.name());
    assertEquals("", password.value());
    assertTrue(password.hasSealedValue());
    assertEquals(new EnvVar("MQTT_HOST", "broker"), deployed.services().get(0).env().get(0));
    assertFalse(cbor(deployed).contains(PASSWORD));
    assertFalse(cbor(kit.getState()).contains(PASSWORD));
    assertEquals(PASSWORD, sealer.open(password));

    // The service gets the sealed spec and journals it as it is.
    ServiceCommand.Create create = (ServiceCommand.Create) directory.services.receiveMessage();
    assertEquals(deployed.services().get(0), create.spec());
    TestProbe<KubernetesCommand> gateway = testKit.createTestProbe(KubernetesCommand.class);
    EventSourcedBehaviorTestKit<ServiceCommand, ServiceEvent, ServiceState> service =
        EventSourcedBehaviorTestKit.create(testKit.system(), ServiceEntity.create(create.spec().serviceId(), directory,
            gateway.ref(), TestSupport.settings(clock), shard.ref()),
            EventSourcedBehaviorTestKit.enabledSerializationSettings());
    var created = service.<CommandReply>runCommand(r -> new ServiceCommand.Create(create.spec(), r));
    assertInstanceOf(CommandReply.Accepted.class, created.reply());
    assertFalse(created.events().isEmpty());
    for (ServiceEvent e : created.events()) {
      assertFalse(cbor(e).contains(PASSWORD), e.toString());
    }
    KubernetesCommand.CreatePod pod = gateway.expectMessageClass(KubernetesCommand.CreatePod.class);
    assertEquals(create.spec(), pod.spec());
  }

  @Test
  void aRedeliveredDeployIsAlreadyDeployedAndAnotherPasswordIsRejected() {
    assertInstanceOf(CommandReply.Accepted.class, deploy(PASSWORD));
    assertEquals(new CommandReply.Duplicate("already deployed"), deploy(PASSWORD));
    assertEquals(new CommandReply.Conflict("simulation already deployed with different content"), deploy("another-password"));
    kit.restart();
    assertEquals(new CommandReply.Duplicate("already deployed"), deploy(PASSWORD));
    assertEquals(new CommandReply.Conflict("simulation already deployed with different content"), deploy("another-password"));
  }

  @Test
  void aNodeWithAnotherKeyNamesBothKeysWhenItCannotCompare() {
    var result = kit.<CommandReply>runCommand(r -> new SimulationCommand.Deploy("204-asd", models(PASSWORD), 1.0, r));
    SimulationEvent journaled = result.event();
    Sealer other = new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate());
    simulationId = simulationId + "-other-key";
    kit = kitWith(other);
    kit.initialize(journaled);
    CommandReply reply = deploy(PASSWORD);
    assertInstanceOf(CommandReply.Conflict.class, reply);
    String reason = ((CommandReply.Conflict) reply).reason();
    assertTrue(reason.contains("sealed under key " + sealer.keyId() + ", this node has key " + other.keyId()), reason);
  }

  @Test
  void aSpecWithoutSecretsIsJournaledAsSent() {
    var result = kit.<CommandReply>runCommand(r -> new SimulationCommand.Deploy("204-asd",
        List.of(new ModelSpec("m0", "img:1", List.of(new EnvVar("EXIT_CODE", "0")))), 1.0, r));
    ServiceSpec spec = ((SimulationDeployed) result.event()).services().get(0);
    assertEquals(List.of(new EnvVar("EXIT_CODE", "0")), spec.env());
  }
}
