package dev.tugboat.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "fake_model", "fake_model:latest", "ci.tno.nl/dotstest/fake_model:latest", "localhost:5000/a/b-c__d.e:v1.2-rc",
      "ghcr.io/dots/fake-model:1.0", "registry.example/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      "busybox:1.36@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "[::1]:5000/img:1",
      "Registry.Example/img"})
  void acceptsPullableReferences(String image) {
    assertTrue(ImageReference.problem(image).isEmpty(), image + ": " + ImageReference.problem(image));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", " ", "fake model", "Fake_Model", "img:", "img:-tag", "img@sha256:short", "/img", "img/", "a//b",
      "img:tag\n", "img\u0000", "-img", "img_", "registry.example/UPPER/img"})
  void refusesWhatNoRegistryCanPull(String image) {
    assertTrue(ImageReference.problem(image).isPresent(), image);
  }

  @org.junit.jupiter.api.Test
  void refusesOverlongReferences() {
    assertTrue(ImageReference.problem("a".repeat(256)).isPresent());
    assertTrue(ImageReference.problem("a".repeat(ImageReference.MAX_LENGTH + 1)).isPresent());
    assertTrue(ImageReference.problem("a".repeat(255) + ":1").isEmpty());
    assertTrue(ImageReference.problem("img:x" + "y".repeat(128)).isPresent(), "a tag of 129 characters");
  }
}
