package dev.tugboat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodNamesTest {

  @Test
  void keepsTheDotsNameWhenItIsValid() {
    assertEquals("204-asd-sim02-abc-0", PodNames.podName("204-asd", "sim02-abc", "0"));
    assertEquals("so-sim-model", PodNames.podName("SO", "Sim", "Model"));
  }

  @ParameterizedTest
  @CsvSource({
      "204-asd, sim02-abc, model_with_underscore",
      "204-asd, sim.02, m",
      "-so, sim, m",
      "so, sim, m-",
      "so, sim, !!!",
      "a-very-long-simulator-identifier, a-very-long-simulation-identifier, a-very-long-model-identifier",
      "ÄÖÜ, sïm, mødel"})
  void alwaysMakesAValidDeterministicName(String so, String sim, String model) {
    String name = PodNames.podName(so, sim, model);
    assertTrue(PodNames.isDns1123Label(name), name);
    assertTrue(name.length() <= 63, name);
    assertEquals(name, PodNames.podName(so, sim, model));
  }

  @Test
  void distinctIdsThatSanitiseAlikeGetDistinctNames() {
    assertNotEquals(PodNames.podName("so", "sim", "a_b"), PodNames.podName("so", "sim", "a.b"));
    String longA = "x".repeat(70) + "a";
    String longB = "x".repeat(70) + "b";
    assertNotEquals(PodNames.podName("so", "sim", longA), PodNames.podName("so", "sim", longB));
  }

  @ParameterizedTest
  @CsvSource({"24.0", "sim02-abc", "Model_A.1", "''"})
  void validLabelValuesAreKept(String v) {
    assertEquals(v, PodNames.labelValue(v));
  }

  @ParameterizedTest
  @CsvSource({"-x", "x-", "a b", "ümlaut", "a/b"})
  void invalidLabelValuesAreSanitised(String v) {
    String label = PodNames.labelValue(v);
    assertTrue(PodNames.isValidLabelValue(label), label);
    assertNotEquals(v, label);
  }

  @Test
  void longLabelValuesAreShortenedWithAHash() {
    String label = PodNames.labelValue("m".repeat(100));
    assertTrue(label.length() <= 63 && PodNames.isValidLabelValue(label), label);
  }
}
