package dev.tugboat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeployValidatorTest {
  private static final DeployLimits LIMITS = new DeployLimits(1 << 20, 5, 3, 16, 100);

  private static ModelSpec model(String id) {
    return new ModelSpec(id, "registry.example:5000/dots/fake_model:1.0", List.of(new EnvVar("MQTT_HOST", "broker")));
  }

  private static ModelSpec withEnv(String id, EnvVar... env) {
    return new ModelSpec(id, "fake_model:latest", List.of(env));
  }

  @Test
  void aValidRequestYieldsOneServicePerModel() {
    DeployValidator.Validation v = DeployValidator.validate("sim-1", "so", List.of(model("a"), model("b")), 1.5, LIMITS);
    assertTrue(v.problem().isEmpty(), v.problem().toString());
    assertEquals(List.of("a", "b"), v.services().stream().map(ServiceSpec::modelId).toList());
    assertEquals("so-sim-1-a", v.services().get(0).podName());
  }

  static Stream<Arguments> invalidRequests() {
    return Stream.of(
        Arguments.of("no models", List.of(), 1.0, List.of(), "no models to deploy"),
        Arguments.of("keepLogsHours over the limit", List.of(model("a")), 100.5, List.of("a"), "keepLogsHours must be"),
        Arguments.of("keepLogsHours 1e308", List.of(model("a")), 1e308, List.of("a"), "keepLogsHours must be"),
        Arguments.of("keepLogsHours negative", List.of(model("a")), -1.0, List.of("a"), "keepLogsHours must be"),
        Arguments.of("keepLogsHours NaN", List.of(model("a")), Double.NaN, List.of("a"), "keepLogsHours must be"),
        Arguments.of("emoji in a model id", List.of(model("a"), model("b\uD83D\uDE80")), 1.0, List.of("a"),
            "contains the character \\ud83d"),
        Arguments.of("image with a space", List.of(new ModelSpec("a", "fake model", List.of())), 1.0, List.of("a"),
            "not a valid image reference"),
        Arguments.of("image in upper case", List.of(new ModelSpec("a", "Fake_Model:1", List.of())), 1.0, List.of("a"),
            "not a valid image reference"),
        Arguments.of("env name Kubernetes refuses", List.of(withEnv("a", new EnvVar("1ABC", "x"))), 1.0,
            List.of("a"), "not a valid environment variable name"),
        Arguments.of("env name with '='", List.of(withEnv("a", new EnvVar("A=B", "x"))), 1.0, List.of("a"),
            "not a valid environment variable name"),
        Arguments.of("env value over the limit", List.of(withEnv("a", new EnvVar("A", "x".repeat(17)))), 1.0,
            List.of("a"), "has 17 bytes, more than the limit of 16"),
        Arguments.of("env value counted in UTF-8 bytes", List.of(withEnv("a", new EnvVar("A", "é".repeat(9)))), 1.0,
            List.of("a"), "has 18 bytes"),
        Arguments.of("env value with NUL", List.of(withEnv("a", new EnvVar("A", "x\u0000"))), 1.0, List.of("a"),
            "NUL"),
        Arguments.of("too many env vars", List.of(withEnv("a", new EnvVar("A", ""), new EnvVar("B", ""),
            new EnvVar("C", ""), new EnvVar("D", ""))), 1.0, List.of("a"), "4 environment variables"),
        Arguments.of("duplicate model", List.of(model("a"), model("a")), 1.0, List.of("a"), "duplicate modelId"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRequests")
  void anInvalidRequestIsRefusedWithItsReasonAndItsValidIds(String name, List<ModelSpec> models, double keep,
      List<String> validIds, String reasonPart) {
    DeployValidator.Validation v = DeployValidator.validate("sim-1", "so", models, keep, LIMITS);
    assertTrue(v.problem().orElseThrow().contains(reasonPart), v.problem().get());
    assertEquals(validIds, v.validModelIds());
    assertTrue(v.services().isEmpty());
  }

  @Test
  void overTheModelLimitNoIdIsListed() {
    List<ModelSpec> models = IntStream.range(0, 6).mapToObj(i -> model("m" + i)).toList();
    DeployValidator.Validation v = DeployValidator.validate("sim-1", "so", models, 1.0, LIMITS);
    assertTrue(v.problem().orElseThrow().contains("6 models, more than the limit of 5"), v.problem().get());
    assertTrue(v.validModelIds().isEmpty());
  }

  @Test
  void aReasonNamesTheFirstProblemsAndCountsTheRest() {
    List<ModelSpec> models = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      models.add(new ModelSpec("m" + i, "BAD IMAGE", List.of(new EnvVar("9", "x".repeat(100)))));
    }
    DeployLimits limits = new DeployLimits(1 << 20, 5, 3, 16, 100);
    String reason = DeployValidator.validate("sim-1", "so", models, -1, limits).problem().orElseThrow();
    assertTrue(reason.endsWith("and 1 more problem(s)"), reason);
    assertTrue(reason.length() < 2000, reason);
  }
}
