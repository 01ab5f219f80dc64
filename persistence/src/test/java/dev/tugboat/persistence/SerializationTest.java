package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.simulation.ModelPhase;
import dev.tugboat.protocol.simulation.SimulationView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every event, state and reply round-trips through the configured (Jackson CBOR) serializer. */
class SerializationTest {

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("SerializationTest", TestSupport.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static Stream<Object> samples() {
    Instant at = Instant.parse("2025-01-01T00:00:00Z");
    ServiceSpec spec = ServiceSpec.of("204-asd", "sim02-abc", new ModelSpec("m0", "img:1",
        List.of(new EnvVar("EXIT_CODE", "2"))), 1.5);
    ServiceId id = spec.serviceId();
    SimulationState.Deployment deployment = new SimulationState.Deployment("sim02-abc", "204-asd", 1.5, at,
        ModelTable.of(List.of(new SimulationState.Model(spec, true, true,
            new SimulationState.Termination(TerminationStatus.FAILED, 2, "Error"), at, at.plusSeconds(1),
            at.plusSeconds(2)))), true, false, null);
    SimulationState.Deployment terminating = new SimulationState.Deployment("sim02-abc", "204-asd", 1.5, at,
        deployment.models(), true, false, new SimulationState.TerminationRequest("maintenance", "ops", at));
    Outbox outbox = Outbox.empty()
        .add(1, new Notification.ModelsReady("sim02-abc"))
        .add(2, new Notification.ModelHasTerminated("sim02-abc", "m0", TerminationStatus.FAILED, 2))
        .add(3, new Notification.AllModelsHaveTerminated("sim02-abc"));
    Outbox withAbandoned = outbox.abandon(2, "the topic cannot be carried by MQTT 3.1.1", at);
    ServiceState.Ending ending = new ServiceState.Ending(TerminationStatus.FAILED, 2, "Error", List.of("a", "b"));
    return Stream.of(
        new SimulationEvent.SimulationDeployed("sim02-abc", "204-asd", 1.5, List.of(spec), at),
        new SimulationEvent.DeploymentRejected("sim02-abc", "204-asd", "no models", List.of("m0"), at),
        new SimulationEvent.ServiceCreateAcknowledged("sim02-abc", "m0", at),
        new SimulationEvent.ModelReady("sim02-abc", "m0", at),
        new SimulationEvent.ModelsReadyQueued("sim02-abc", 1, at),
        new SimulationEvent.ModelTerminated("sim02-abc", "m0", TerminationStatus.SUCCEEDED, 0, "Completed", 2, at),
        new SimulationEvent.AllModelsHaveTerminatedQueued("sim02-abc", 3, at),
        new SimulationEvent.NotificationDelivered("sim02-abc", 1, at),
        new SimulationEvent.NotificationAbandoned("sim02-abc", 2, "cannot encode: x", at),
        new SimulationEvent.TerminationRequested("sim02-abc", "maintenance", "ops", at),
        new SimulationState.Active(terminating, outbox),
        new SimulationMessages.Abandonment(2, "cannot encode: x"),
        PublishResult.NotPublished.permanently(2, "cannot encode: x"),
        new PublishResult.NotPublished(2, "not connected to the MQTT broker"),
        new SimulationState.Ended(deployment, withAbandoned, at),
        new SimulationView("sim02-abc", "204-asd", SimulationView.Phase.ENDED, null, 1.5, at,
            List.of(new SimulationView.Model("m0", "pod-m0", ModelPhase.FAILED, true, true, TerminationStatus.FAILED, 2,
                "Error", at, at.plusSeconds(1), at.plusSeconds(2))), true, false, 1,
            List.of(new SimulationView.AbandonedNotification(3, "AllModelsHaveTerminated", null, "cannot encode", at))),
        new SimulationState.Empty("sim02-abc"),
        new SimulationState.Active(deployment, outbox),
        new SimulationState.Ended(deployment, outbox, Instant.parse("2025-01-02T00:00:00Z")),
        new SimulationState.Rejected("sim02-abc", "204-asd", "bad", List.of("m0"), at, outbox),
        new ServiceEvent.ServiceRequested(id, spec, at),
        new ServiceEvent.PodCreationStarted(id, spec.podName(), at),
        new ServiceEvent.PodCreated(id, spec.podName(), at),
        new ServiceEvent.PodRunning(id, spec.podName(), at),
        new ServiceEvent.ServiceTerminated(id, spec.podName(), TerminationStatus.FAILED, 2, "Error", List.of("x"),
            at, at),
        new ServiceEvent.ServiceFailed(id, spec.podName(), "refused", 125, at, at),
        new ServiceEvent.SimulationNotified(id, true, "", at),
        new ServiceEvent.PodDeleted(id, spec.podName(), at),
        new ServiceEvent.PodDeletionAbandoned(id, spec.podName(), "forbidden", at),
        new ServiceEvent.CreationQueued(id, spec.podName(), 3, "pod cap 100 reached", at),
        new ServiceEvent.ServiceHeld(id, spec.podName(), "pod not created: forbidden (HTTP 403)", at),
        new ServiceEvent.HoldReleased(id, spec.podName(), at),
        new ServiceState.Queued(spec, 3, "exceeded quota", at),
        new ServiceState.Held(spec, "no answer", at),
        new ServiceState.Empty(id),
        new ServiceState.Requested(spec, at),
        new ServiceState.Creating(spec, at),
        new ServiceState.Created(spec, at),
        new ServiceState.Running(spec, at),
        new ServiceState.Terminated(spec, ending, at, false, at),
        new ServiceState.Failed(spec, ending, at, true, at),
        new ServiceState.Deleted(spec, ending, false, true, null, at),
        new CommandReply.Accepted("removed"),
        new CommandReply.Duplicate("already deployed"),
        new CommandReply.Rejected("simulation already deployed"),
        new CommandReply.Conflict("simulation already deployed with different content"),
        SimulationMessages.SimulationTick.INSTANCE,
        ServiceEntity.ServiceTick.INSTANCE,
        ServiceEntity.DeleteDue.INSTANCE);
  }

  /** A reply or snapshot written before a field existed, as CBOR without it. */
  private static Object readOldForm(Class<?> type, Map<String, Object> fields) throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system());
    ObjectMapper cbor = JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("jackson-cbor", Optional.empty());
    Serializer serializer = serialization.serializerFor(type);
    return serialization.deserialize(cbor.writeValueAsBytes(fields), serializer.identifier(), type.getName()).get();
  }

  @Test
  void aNotPublishedWithoutPermanentReadsAsARefusalThatMayPass() throws Exception {
    assertEquals(new PublishResult.NotPublished(7, "not connected to the MQTT broker", false),
        readOldForm(PublishResult.NotPublished.class, Map.of("id", 7, "reason", "not connected to the MQTT broker")));
  }

  @Test
  void anOutboxWithoutAbandonedReadsAsNoneAbandoned() throws Exception {
    Object back = readOldForm(Outbox.class, Map.of("nextId", 3, "pending", List.of()));
    assertEquals(new Outbox(3, List.of(), List.of()), back);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void roundTrips(Object sample) {
    Serialization serialization = SerializationExtension.get(testKit.system());
    Serializer serializer = serialization.findSerializerFor(sample);
    assertEquals("org.apache.pekko.serialization.jackson.JacksonCborSerializer", serializer.getClass().getName());
    byte[] bytes = serializer.toBinary(sample);
    Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, sample))
        .get();
    assertEquals(sample, back);
  }

  /** EnvVar as it was before secret values were sealed: events journaled then must still read. */
  record OldEnvVar(String name, String value) implements dev.tugboat.protocol.CborSerializable {}

  @org.junit.jupiter.api.Test
  void anEnvVarJournaledBeforeSealingReadsBackPlain() {
    Serialization serialization = SerializationExtension.get(testKit.system());
    Serializer serializer = serialization.findSerializerFor(new EnvVar("A", "1"));
    byte[] old = serializer.toBinary(new OldEnvVar("MQTT_PASSWORD", "pw"));
    Object back = serialization.deserialize(old, serializer.identifier(), EnvVar.class.getName()).get();
    assertEquals(new EnvVar("MQTT_PASSWORD", "pw", null), back);
    // A plain variable is written in the old shape too (no "sealed" field).
    org.junit.jupiter.api.Assertions.assertArrayEquals(old, serializer.toBinary(new EnvVar("MQTT_PASSWORD", "pw")));
  }

  @org.junit.jupiter.api.Test
  void aSealedEnvVarRoundTrips() {
    dev.tugboat.protocol.Sealer sealer = new dev.tugboat.protocol.Sealer(dev.tugboat.protocol.SecretEnvNames.DEFAULT,
        dev.tugboat.protocol.SecretKey.generate());
    ServiceSpec spec = sealer.seal(ServiceSpec.of("204-asd", "sim", new ModelSpec("m0", "img:1",
        List.of(new EnvVar("MQTT_PASSWORD", "pw"))), 1.0));
    Object event = new SimulationEvent.SimulationDeployed("sim", "204-asd", 1.0, List.of(spec),
        Instant.parse("2025-01-01T00:00:00Z"));
    Serialization serialization = SerializationExtension.get(testKit.system());
    Serializer serializer = serialization.findSerializerFor(event);
    Object back = serialization.deserialize(serializer.toBinary(event), serializer.identifier(),
        Serializers.manifestFor(serializer, event)).get();
    assertEquals(event, back);
    assertEquals("pw", sealer.open(((SimulationEvent.SimulationDeployed) back).services().get(0).env().get(0)));
  }
}
