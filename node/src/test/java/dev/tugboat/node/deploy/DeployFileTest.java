package dev.tugboat.node.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeployFileTest {
  private static final DeployLimits LIMITS = DeployLimits.DEFAULT;

  private static final String YAML = """
      simulationId: sim02-abc
      simulatorId: 204-asd
      keepLogsHours: 2
      models:
        - id: "0"
          image: fake_model:latest
          env:
            EXIT_CODE: 1
            NAME: "a b"
        - id: "1"
          image: fake_model:latest
      """;

  @Test
  void readsYamlWithEnvironmentInOrderAndNumbersAsText() {
    DeployFile.Read read = DeployFile.parse(YAML, false, null, LIMITS);
    assertEquals(List.of(), read.problems());
    DeployFile f = read.file();
    assertEquals("sim02-abc", f.simulationId());
    assertEquals("204-asd", f.simulatorId());
    assertEquals(2.0, f.keepLogsHours());
    assertEquals(List.of(
        new ModelSpec("0", "fake_model:latest", List.of(new EnvVar("EXIT_CODE", "1"), new EnvVar("NAME", "a b"),
            new EnvVar("SIMULATOR_ID", "204-asd"), new EnvVar("SIMULATION_ID", "sim02-abc"), new EnvVar("MODEL_ID", "0"))),
        new ModelSpec("1", "fake_model:latest", List.of(new EnvVar("SIMULATOR_ID", "204-asd"),
            new EnvVar("SIMULATION_ID", "sim02-abc"), new EnvVar("MODEL_ID", "1")))), f.models());
  }

  @Test
  void readsJsonByItsNameAndTakesAnOverridingSimulationId(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("s.json");
    Files.writeString(file, """
        {"simulationId": "a", "simulatorId": "so", "models": [{"id": "m0", "image": "busybox"}]}""");
    DeployFile.Read read = DeployFile.read(file, "b", LIMITS);
    assertTrue(read.ok(), read.problems()::toString);
    assertEquals("b", read.file().simulationId());
    assertEquals(DeployFile.DEFAULT_KEEP_LOGS_HOURS, read.file().keepLogsHours());
    assertTrue(read.file().models().get(0).env().contains(new EnvVar("SIMULATION_ID", "b")));
  }

  @Test
  void identityVariablesTheFileSetsAreKept() {
    ModelSpec m = DeployFile.withIdentity(new ModelSpec("m0", "busybox", List.of(new EnvVar("MODEL_ID", "x"))),
        "so", "sim");
    assertEquals(List.of(new EnvVar("MODEL_ID", "x"), new EnvVar("SIMULATOR_ID", "so"), new EnvVar("SIMULATION_ID", "sim")),
        m.env());
  }

  @Test
  void theReadmesExampleIsValid() {
    DeployFile.Read read = DeployFile.read(Path.of("..", "docs", "examples", "simulation.yaml"), null, LIMITS);
    assertEquals(List.of(), read.problems());
    assertEquals(3, read.file().models().size());
  }

  @Test
  void aMissingFileIsOneLine(@TempDir Path dir) {
    assertEquals(List.of(dir.resolve("nope.yaml") + ": no such file"),
        DeployFile.read(dir.resolve("nope.yaml"), null, LIMITS).problems());
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("simulatorId: so\nmodels: [{id: m0, image: busybox}]", List.of("simulationId is missing")),
        Arguments.of("simulationId: s\nsimulatorId: so", List.of("models is missing: list at least one model (id, image, env)")),
        Arguments.of("simulationId: s\nsimulatorId: so\nmodels: []", List.of("no models to deploy")),
        Arguments.of("simulationId: s\nsimulatorId: so\nmodel: []\nmodels: [{id: m0, image: busybox}]",
            List.of("model is not a known field (known: keepLogsHours, models, simulationId, simulatorId)")),
        Arguments.of("simulationId: s\nsimulatorId: so\nkeepLogsHours: soon\nmodels: [{id: m0, image: busybox}]",
            List.of("keepLogsHours must be a number of hours, got 'soon'")),
        Arguments.of("simulationId: s\nsimulatorId: so\nmodels: [{id: m0, image: busybox, env: {A: }}]",
            List.of("models[0].env.A must be a text, number or boolean (write \"\" for an empty value)")),
        Arguments.of("simulationId: s\nsimulatorId: so\nmodels: [{id: m0}, {image: busybox}]",
            List.of("models[0].image is missing", "models[1].id is missing")),
        // The node's own checks, one problem a line.
        Arguments.of("simulationId: a/b\nsimulatorId: so\nmodels: [{id: m0, image: busybox}, {id: m0, image: busybox}]",
            List.of("simulationId 'a/b' contains the MQTT topic character '/'", "duplicate modelId 'm0'")),
        Arguments.of("simulationId: s\nsimulatorId: so\nkeepLogsHours: -1\nmodels: [{id: m0, image: 'Not An Image'},"
                + " {id: m1, image: busybox, env: {1A: x}}]",
            List.of("keepLogsHours must be a number from 0 to 8760.0, got -1.0",
                "model 'm0' has an imageUrl that is not a valid image reference: 'Not An Image'",
                "model 'm1': '1A' is not a valid environment variable name (letters, digits, '_', '-', '.'; not starting with a digit or '..')")),
        Arguments.of("[1, 2]", List.of("the file must hold one object with simulationId, simulatorId, models and keepLogsHours")));
  }

  @ParameterizedTest
  @MethodSource("badFiles")
  void everyProblemIsOneLineNamingItsField(String yaml, List<String> problems) {
    DeployFile.Read read = DeployFile.parse(yaml, false, null, LIMITS);
    assertFalse(read.ok());
    assertEquals(problems, read.problems());
  }

  @Test
  void brokenSyntaxIsOneLineWithItsLine() {
    List<String> problems = DeployFile.parse("simulationId: [", false, null, LIMITS).problems();
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).startsWith("not valid YAML: "), problems::toString);
  }
}
