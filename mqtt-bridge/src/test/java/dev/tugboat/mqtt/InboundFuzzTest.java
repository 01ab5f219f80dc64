package dev.tugboat.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.DeployValidator;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.EnvVarNames;
import dev.tugboat.protocol.ImageReference;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.ServiceSpec;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;

/**
 * Hostile input, generated: random and mutated payloads and topics through the inbound decoder
 * and the DeployModels validator. Whatever arrives is decided without an exception, and whatever
 * is accepted can travel everywhere it must (an MQTT 3.1.1 topic, a pod name, a log line).
 */
class InboundFuzzTest {
  private static final String SO = "dots-so";
  private static final DeployLimits LIMITS = new DeployLimits(16 * 1024, 10, 4, 64, 8760);
  private static final int TRIES = 20_000;

  /** Strings that are mostly harmless id characters, sometimes anything a UTF-16 string can hold. */
  @Provide
  Arbitrary<String> ids() {
    Arbitrary<String> plain = Arbitraries.strings().withCharRange('a', 'z').withChars("-_.0123456789AZ")
        .ofMinLength(0).ofMaxLength(12);
    Arbitrary<String> any = Arbitraries.strings().withCharRange('\u0000', '\uffff').ofMinLength(0).ofMaxLength(12);
    Arbitrary<String> tricky = Arbitraries.of("", "/", "+", "#", "\uD83D\uDE80", "\u0000", "\u0007", "\n", "\u202E",
        "\uFFFE", "\uFDD0", "\uD83D", "\uDE80", " ", "\u00A0", "Ä", "x".repeat(300));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, plain), net.jqwik.api.Tuple.of(2, any),
        net.jqwik.api.Tuple.of(2, Combinators.combine(plain, tricky, plain).as((a, b, c) -> a + b + c)));
  }

  @Provide
  Arbitrary<ModelSpec> models() {
    Arbitrary<String> images = Arbitraries.oneOf(Arbitraries.of("fake_model:latest", "ghcr.io/dots/m:1", "", "BAD img"),
        ids());
    Arbitrary<EnvVar> env = Combinators.combine(Arbitraries.oneOf(Arbitraries.of("MQTT_PASSWORD", "1X", "A=B"), ids()),
        Arbitraries.strings().ofMaxLength(80)).as(EnvVar::new);
    return Combinators.combine(ids(), images, env.list().ofMaxSize(5)).as(ModelSpec::new);
  }

  @Provide
  Arbitrary<byte[]> deployModelsPayloads() {
    Arbitrary<byte[]> valid = Combinators.combine(ids(), Arbitraries.doubles().between(-10, 1e6),
            models().list().ofMaxSize(12))
        .as((simulator, keep, models) -> TestSupport.deployModels(simulator, keep, models).toByteArray());
    return Arbitraries.oneOf(valid, valid.flatMap(InboundFuzzTest::mutations),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(200));
  }

  /** A payload with bytes flipped, cut short, or with random bytes put in. */
  private static Arbitrary<byte[]> mutations(byte[] valid) {
    if (valid.length == 0) {
      return Arbitraries.just(valid);
    }
    Arbitrary<byte[]> flipped = Combinators.combine(Arbitraries.integers().between(0, valid.length - 1),
        Arbitraries.bytes()).as((at, b) -> {
          byte[] copy = valid.clone();
          copy[at] = b;
          return copy;
        });
    Arbitrary<byte[]> cut = Arbitraries.integers().between(0, valid.length - 1)
        .map(n -> java.util.Arrays.copyOf(valid, n));
    Arbitrary<byte[]> inserted = Combinators.combine(Arbitraries.integers().between(0, valid.length),
        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8)).as((at, extra) -> {
          byte[] out = new byte[valid.length + extra.length];
          System.arraycopy(valid, 0, out, 0, at);
          System.arraycopy(extra, 0, out, at, extra.length);
          System.arraycopy(valid, at, out, at + extra.length, valid.length - at);
          return out;
        });
    return Arbitraries.oneOf(flipped, cut, inserted);
  }

  @Property(tries = TRIES)
  void anyDeployModelsPayloadIsDecidedAndWhatIsAcceptedCanRun(@ForAll("ids") String simulationId,
      @ForAll("deployModelsPayloads") byte[] payload) {
    InboundDecoder.Decision d = InboundDecoder.decide("/lifecycle/" + SO + "/mso/" + simulationId + "/DeployModels",
        payload, SO, LIMITS);
    assertNotNull(d);
    if (d instanceof InboundDecoder.Drop drop) {
      assertFalse(drop.reason().isEmpty());
      return;
    }
    // Whatever reaches an entity names a simulation every channel can carry.
    String routedId = d instanceof InboundDecoder.Deploy dep ? dep.simulationId()
        : ((InboundDecoder.Refuse) d).simulationId();
    assertTrue(Ids.isValid(routedId), routedId);
    if (d instanceof InboundDecoder.Deploy dep) {
      assertFalse(dep.models().isEmpty());
      assertTrue(dep.models().size() <= LIMITS.maxModels());
      DeployValidator.Validation v = DeployValidator.validate(dep.simulationId(), dep.simulatorId(), dep.models(),
          dep.keepLogsHours(), LIMITS);
      if (v.problem().isEmpty()) {
        for (ServiceSpec s : v.services()) {
          assertCarriedEverywhere(s);
        }
      } else {
        assertTrue(v.problem().get().length() < 20_000, "a rejection's reason stays bounded");
        v.validModelIds().forEach(id -> assertTrue(Ids.isValid(id), id));
      }
    }
  }

  @Property(tries = TRIES)
  void anyTopicIsDecidedAndOnlyCarriableIdsReachAnEntity(@ForAll("ids") String a, @ForAll("ids") String b,
      @ForAll("topicShapes") int shape) {
    String topic = switch (shape) {
      case 0 -> "/lifecycle/model/mso/" + a + "/" + b + "/ReadyForProcessing";
      case 1 -> "/lifecycle/" + SO + "/mso/" + a + "/DeployModels";
      case 2 -> "/lifecycle/" + a + "/mso/" + b + "/DeployModels";
      default -> a + "/" + b;
    };
    InboundDecoder.Decision d = InboundDecoder.decide(topic, new byte[0], SO, LIMITS);
    if (d instanceof InboundDecoder.Ready r) {
      assertTrue(Ids.isValid(r.simulationId()) && Ids.isValid(r.modelId()), topic);
      assertCanBePublished("/lifecycle/mso/" + SO + "/" + r.simulationId() + "/" + r.modelId() + "/ModelHasTerminated");
    } else {
      assertTrue(d instanceof InboundDecoder.Drop, () -> topic + " -> " + d);
    }
  }

  @Provide
  Arbitrary<Integer> topicShapes() {
    return Arbitraries.integers().between(0, 3);
  }

  @Property(tries = TRIES)
  void anAcceptedIdIsCarriedEverywhereAndAnyTextPrintsSafely(@ForAll("ids") String id) {
    String printed = Ids.printable(id);
    for (char c : printed.toCharArray()) {
      assertFalse(Character.isISOControl(c) || Character.isSurrogate(c)
          || Character.getType(c) == Character.FORMAT, () -> "printable(" + id + ") holds " + (int) c);
    }
    if (Ids.isValid(id)) {
      // A valid id prints unchanged but for its backslashes, doubled so none can forge an escape.
      assertEquals(id.replace("\\", "\\\\"), printed);
      assertCanBePublished("/lifecycle/mso/" + SO + "/" + id + "/ModelsReady");
      assertTrue(PodNames.isDns1123Label(PodNames.podName("so", id, "m")));
      assertTrue(PodNames.isValidLabelValue(PodNames.labelValue(id)));
    }
  }

  @Property(tries = TRIES)
  void modelRulesNeverThrowAndAcceptOnlyWhatKubernetesAccepts(@ForAll("models") ModelSpec model) {
    List<String> problems = new ArrayList<>();
    ImageReference.problem(model.imageUrl()).ifPresent(problems::add);
    for (EnvVar e : model.env()) {
      EnvVarNames.problem(e.name()).ifPresent(problems::add);
    }
    DeployValidator.Validation v = DeployValidator.validate("sim", "so", List.of(model), 1.0, LIMITS);
    if (v.problem().isEmpty()) {
      assertTrue(problems.isEmpty(), problems::toString);
      assertCarriedEverywhere(v.services().get(0));
    }
  }

  @Property(tries = TRIES)
  void readyForProcessingPayloadsAreDecidedWithoutThrowing(@ForAll byte[] payload) {
    InboundDecoder.Decision d = InboundDecoder.decide("/lifecycle/model/mso/sim-1/m1/ReadyForProcessing", payload,
        SO, LIMITS);
    assertTrue(d instanceof InboundDecoder.Ready || d instanceof InboundDecoder.Drop, String.valueOf(d));
  }

  private static void assertCarriedEverywhere(ServiceSpec s) {
    assertTrue(PodNames.isDns1123Label(s.podName()), s.podName());
    assertTrue(Ids.isValid(s.modelId()) && Ids.isValid(s.simulatorId()), s.toString());
    assertTrue(ImageReference.problem(s.imageUrl()).isEmpty(), s.imageUrl());
    s.env().forEach(e -> assertTrue(EnvVarNames.problem(e.name()).isEmpty(), e.name()));
    assertCanBePublished("/lifecycle/mso/" + SO + "/" + s.simulationId() + "/" + s.modelId() + "/ModelHasTerminated");
  }

  /** Encodes a PUBLISH the way Paho's client does, which is where a topic it cannot carry fails. */
  private static void assertCanBePublished(String topic) {
    try {
      byte[] header = new MqttPublish(topic, new MqttMessage(new byte[] {8, 1})).getHeader();
      assertTrue(header.length > 0);
    } catch (MqttException | IllegalArgumentException e) {
      throw new AssertionError("Paho cannot publish on '" + Ids.printable(topic) + "': " + e, e);
    }
  }
}
