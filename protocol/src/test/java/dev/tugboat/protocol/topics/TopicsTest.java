package dev.tugboat.protocol.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

  static Stream<Arguments> everyDotsTopic() {
    return Stream.of(
        Arguments.of("/lifecycle/dots-so/mso/sim02-abc/DeployModels", new Topic.DeployModels("dots-so", "sim02-abc")),
        Arguments.of("/lifecycle/model/mso/sim02-abc/0/ReadyForProcessing", new Topic.ReadyForProcessing("sim02-abc", "0")),
        Arguments.of("/lifecycle/mso/dots-so/sim02-abc/ModelsReady", new Topic.ModelsReady("dots-so", "sim02-abc")),
        Arguments.of("/lifecycle/mso/dots-so/sim02-abc/3/ModelHasTerminated",
            new Topic.ModelHasTerminated("dots-so", "sim02-abc", "3")),
        Arguments.of("/lifecycle/mso/dots-so/sim02-abc/AllModelsHaveTerminated",
            new Topic.AllModelsHaveTerminated("dots-so", "sim02-abc")),
        Arguments.of("/lifecycle/dots-so/model/s/m/ModelParameters",
            new Topic.SoToModel("dots-so", "s", "m", Topic.SoToModelKind.ModelParameters)),
        Arguments.of("/lifecycle/dots-so/model/s/m/NewStep", new Topic.SoToModel("dots-so", "s", "m", Topic.SoToModelKind.NewStep)),
        Arguments.of("/lifecycle/dots-so/model/s/m/SimulationDone",
            new Topic.SoToModel("dots-so", "s", "m", Topic.SoToModelKind.SimulationDone)),
        Arguments.of("/lifecycle/model/dots-so/s/m/Parameterized",
            new Topic.ModelToSo("dots-so", "s", "m", Topic.ModelToSoKind.Parameterized)),
        Arguments.of("/lifecycle/model/dots-so/s/m/CalculationsDone",
            new Topic.ModelToSo("dots-so", "s", "m", Topic.ModelToSoKind.CalculationsDone)),
        Arguments.of("/lifecycle/model/dots-so/s/m/ErrorOccurred",
            new Topic.ModelToSo("dots-so", "s", "m", Topic.ModelToSoKind.ErrorOccurred)));
  }

  @ParameterizedTest
  @MethodSource("everyDotsTopic")
  void parsesAndFormatsEveryDotsTopic(String text, Topic expected) throws Exception {
    assertEquals(expected, Topics.parse(text));
    assertEquals(text, expected.format());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "lifecycle/dots-so/mso/s/DeployModels", "/other/dots-so/mso/s/DeployModels",
      "/lifecycle/dots-so/mso/DeployModels", "/lifecycle/dots-so/mso/s/x/DeployModels",
      "/lifecycle/dots-so/xyz/s/DeployModels", "/lifecycle/dots-so/mso//DeployModels",
      "/lifecycle/dots-so/mso/+/DeployModels", "/lifecycle/dots-so/mso/#/DeployModels",
      "/lifecycle/model/mso/s/ReadyForProcessing", "/lifecycle/model/so/s/m/ReadyForProcessing",
      "/lifecycle/mso/dots-so/s/Unknown", "/lifecycle/mso/dots-so/s/ModelsReady/",
      "/lifecycle/x/model/s/m/Parameterized"})
  void rejectsMalformedTopics(String text) {
    Topics.MalformedTopicException e = assertThrows(Topics.MalformedTopicException.class, () -> Topics.parse(text));
    assertTrue(e.getMessage().startsWith("malformed topic"), e.getMessage());
  }

  @Test
  void rejectsNull() {
    assertThrows(Topics.MalformedTopicException.class, () -> Topics.parse(null));
  }

  @Test
  void filtersNeverSubscribeToEverything() {
    assertEquals("/lifecycle/dots-so/mso/+/DeployModels", Topics.deployModelsFilter("dots-so"));
    assertEquals("/lifecycle/model/mso/+/+/ReadyForProcessing", Topics.readyForProcessingFilter());
    assertEquals("/lifecycle/mso/dots-so/#", Topics.outboundFilter("dots-so"));
    assertEquals("my-so", Topics.soSegment("My-SO"));
  }
}
