package dev.tugboat.k8s.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulatedImagesTest {

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "fake_model, FAKE_MODEL",
      "fake_model:latest, FAKE_MODEL",
      "registry.example:5000/dots/fake_model:1.0, FAKE_MODEL",
      "ci.tno.nl/dots/fake_model_v2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef,"
          + " FAKE_MODEL",
      "busybox, SLEEPER",
      "busybox:latest, SLEEPER",
      "docker.io/library/busybox:1.36, SLEEPER",
      "no-such-image:1, NOT_PULLABLE",
      "registry.example/model-a:1, NOT_PULLABLE",
      "ghcr.io/dots/fake-model:1.0, NOT_PULLABLE",
      "busybox-extra, NOT_PULLABLE",
      "registry.example/fake_model/other:1, NOT_PULLABLE",
      "'', NOT_PULLABLE"})
  void theRepositoryNameDecidesWhatRuns(String image, SimulatedImages expected) {
    assertEquals(expected, SimulatedImages.of(image));
  }
}
