package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.HostedEvent.HostedCreated;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.SecretEnvNames;
import dev.tugboat.protocol.SecretKey;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.hosted.HostedReply;
import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.HostedView;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hosted service's secret environment values (DB_PASSWORD) are sealed before it journals them:
 * neither its event nor its state holds them in plaintext, the gateway gets the sealed spec (it
 * opens the values into the pod's Secret), Get never shows them, and the same create again is
 * still recognised as the same.
 */
class HostedSecretsTest {
  private static final String PASSWORD = "hunter2-hosted";
  private static ActorTestKit testKit;
  private static int counter;

  private final Sealer sealer = new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate());
  private TestProbe<KubernetesCommand> gateway;
  private String name;
  private EventSourcedBehaviorTestKit<HostedCommand, HostedEvent, HostedState> kit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("HostedSecretsTest", TestSupport.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    name = "secret" + (++counter);
    gateway = testKit.createTestProbe(KubernetesCommand.class);
    kit = kitWith(sealer);
  }

  private EventSourcedBehaviorTestKit<HostedCommand, HostedEvent, HostedState> kitWith(Sealer s) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        HostedServiceEntity.create(name, gateway.ref(), new HostedServiceEntityTest.RecordingPublisher(),
            HostedServiceEntityTest.settings(new MutableClock(Instant.parse("2026-01-01T00:00:00Z"))), s,
            testKit.createTestProbe(ClusterSharding.ShardCommand.class).ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  private HostedSpec spec(String password) {
    HostedSpec base = HostedServiceEntityTest.spec(name, 1, 1);
    return base.withEnv(List.of(new EnvVar("MODE", "lab"), new EnvVar("DB_PASSWORD", password)));
  }

  private CommandReply create(String password) {
    return kit.<CommandReply>runCommand(r -> new HostedCommand.Create(spec(password), r)).reply();
  }

  private static String cbor(Object o) {
    return new String(SerializationExtension.get(testKit.system()).serialize(o).get(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void theJournalHoldsTheSecretSealedAndTheGatewayGetsTheSealedSpec() {
    var result = kit.<CommandReply>runCommand(r -> new HostedCommand.Create(spec(PASSWORD), r));
    assertInstanceOf(CommandReply.Accepted.class, result.reply());
    HostedCreated created = assertInstanceOf(HostedCreated.class, result.events().get(0));
    EnvVar password = created.spec().env().get(1);
    assertEquals("DB_PASSWORD", password.name());
    assertEquals("", password.value());
    assertTrue(password.hasSealedValue());
    assertEquals(PASSWORD, sealer.open(password));
    assertEquals(new EnvVar("MODE", "lab"), created.spec().env().get(0));
    for (HostedEvent e : result.events()) {
      assertFalse(cbor(e).contains(PASSWORD), e.toString());
    }
    assertFalse(cbor(kit.getState()).contains(PASSWORD));
    KubernetesCommand.CreateHostedPod ask = gateway.expectMessageClass(KubernetesCommand.CreateHostedPod.class,
        Duration.ofSeconds(3));
    assertEquals(created.spec(), ask.spec());
  }

  @Test
  void getNeverShowsTheSecret() {
    create(PASSWORD);
    HostedView v = assertInstanceOf(HostedReply.Found.class,
        kit.<HostedReply>runCommand(HostedCommand.Get::new).reply()).service();
    assertEquals(List.of(new EnvVar("MODE", "lab"), new EnvVar("DB_PASSWORD", Sealer.SHOWN_SECRET)), v.spec().env());
    assertFalse(cbor(v).contains(PASSWORD));
    assertFalse(cbor(v).contains("aes256gcm"), "not even the sealed value");
  }

  @Test
  void theSameCreateAgainIsADuplicateAndAnotherPasswordAConflictAlsoAfterRecovery() {
    assertInstanceOf(CommandReply.Accepted.class, create(PASSWORD));
    assertInstanceOf(CommandReply.Duplicate.class, create(PASSWORD));
    assertInstanceOf(CommandReply.Conflict.class, create("another-password"));
    kit.restart();
    assertInstanceOf(CommandReply.Duplicate.class, create(PASSWORD));
  }

  @Test
  void aNodeWithAnotherKeyAnswersAConflictNamingBothKeys() {
    var journaled = kit.<CommandReply>runCommand(r -> new HostedCommand.Create(spec(PASSWORD), r)).events();
    Sealer other = new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate());
    name = name + "-other-key";
    kit = kitWith(other);
    kit.initialize(journaled.toArray(new HostedEvent[0]));
    String reason = assertInstanceOf(CommandReply.Conflict.class, create(PASSWORD)).reason();
    assertTrue(reason.contains("sealed under key " + sealer.keyId() + ", this node has key " + other.keyId()), reason);
  }
}
