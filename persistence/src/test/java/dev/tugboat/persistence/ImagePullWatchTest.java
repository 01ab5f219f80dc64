package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImagePullWatchTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration GRACE = Duration.ofMinutes(2);

  private static PodSnapshot pod(ContainerState container, String reason, String message) {
    return new PodSnapshot("p", null, "Pending", container, null, reason, message, false);
  }

  @ParameterizedTest(name = "{0} {1}: pull problem {2}")
  @CsvSource(nullValues = "null", value = {
      "WAITING, ErrImagePull, true",
      "WAITING, ImagePullBackOff, true",
      "WAITING, InvalidImageName, true",
      "WAITING, ErrImageNeverPull, true",
      "WAITING, ContainerCreating, false",
      "WAITING, CreateContainerConfigError, false",
      "WAITING, null, false",
      "RUNNING, ErrImagePull, false",
      "UNKNOWN, ImagePullBackOff, false"})
  void aPullProblemIsAWaitingContainerWithAPullReason(ContainerState container, String reason, boolean shows) {
    assertEquals(shows, ImagePullWatch.shows(pod(container, reason, null)));
  }

  @Test
  void theGraceRunsFromTheFirstPullProblemThroughTheBackOff() {
    ImagePullWatch first = ImagePullWatch.none().observed(pod(ContainerState.WAITING, "ErrImagePull",
        "Failed to pull image \"nope:1\": not found"), T0);
    ImagePullWatch backOff = first.observed(pod(ContainerState.WAITING, "ImagePullBackOff",
        "Back-off pulling image \"nope:1\""), T0.plusSeconds(30));
    assertSame(first, backOff);
    assertFalse(backOff.graceOver(T0.plus(GRACE).minusMillis(1), GRACE));
    assertTrue(backOff.graceOver(T0.plus(GRACE), GRACE));
    assertEquals("image nope:1 could not be pulled: ErrImagePull: Failed to pull image \"nope:1\": not found",
        backOff.reason("nope:1"));
  }

  @Test
  void anyOtherStateForgetsThePullProblem() {
    ImagePullWatch waiting = ImagePullWatch.none().observed(pod(ContainerState.WAITING, "ErrImagePull", null), T0);
    ImagePullWatch running = waiting.observed(pod(ContainerState.RUNNING, null, null), T0.plusSeconds(60));
    assertFalse(running.waiting());
    assertFalse(running.graceOver(T0.plus(Duration.ofDays(1)), GRACE));
    ImagePullWatch again = running.observed(pod(ContainerState.WAITING, "ImagePullBackOff", null), T0.plusSeconds(90));
    assertEquals(T0.plusSeconds(90), again.since(), "a new pull problem starts a new grace");
    assertEquals("image x could not be pulled: ImagePullBackOff", again.reason("x"));
  }

  @Test
  void nothingSeenHasNoGraceToRunOut() {
    ImagePullWatch none = ImagePullWatch.none();
    assertSame(none, none.observed(pod(ContainerState.WAITING, "ContainerCreating", null), T0));
    assertFalse(none.graceOver(T0.plus(Duration.ofDays(1)), GRACE));
  }
}
