package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The informer's restart bookkeeping (generation, failures in a row, backoff) and what counts as a live pod. */
class PodInformerTest {

  private static final KubernetesSettings.Retry RETRY =
      new KubernetesSettings.Retry(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofMinutes(1));

  @ParameterizedTest(name = "stop of generation {0} (current 2), restart pending {1}, stopping {2} -> restart {3}")
  @CsvSource({
      "2, false, false, true",
      "1, false, false, false",
      "2, true, false, false",
      "2, false, true, false",
  })
  void onlyTheCurrentInformersStopRestartsIt(int generation, boolean pending, boolean stopping, boolean restarts) {
    PodInformer.Lifecycle l = PodInformer.Lifecycle.INITIAL.started().started();
    if (stopping) {
      l = l.stoppingForGood();
    }
    assertEquals(restarts, l.restartsAfterStop(generation, pending));
    assertEquals(restarts || pending, l.restartDue(generation), "a pending restart of the current one is still due");
  }

  @Test
  void eachStartIsANewGenerationAndOnlyTheCurrentOnesSyncCounts() {
    PodInformer.Lifecycle l = PodInformer.Lifecycle.INITIAL.started();
    assertEquals(1, l.generation());
    l = l.failed().failed();
    PodInformer.Lifecycle restarted = l.started();
    assertEquals(2, restarted.generation());
    assertEquals(2, restarted.synced(1).failures(), "an older informer's sync does not end the failures");
    assertFalse(restarted.isCurrent(1));
    assertEquals(0, restarted.synced(2).failures());
  }

  @Test
  void theRestartBackoffGrowsWithFailuresInARowAndStartsOverAfterASync() {
    Random random = new Random(3);
    PodInformer.Lifecycle l = PodInformer.Lifecycle.INITIAL.started();
    long longest = 0;
    for (int failure = 1; failure <= 40; failure++) {
      l = l.failed();
      long cap = Math.min(2000, 100L << Math.min(failure - 1, 20));
      for (int i = 0; i < 20; i++) {
        long d = l.restartDelay(RETRY, random).toMillis();
        assertTrue(d >= 0 && d <= cap, "failure " + failure + ": " + d);
        longest = Math.max(longest, d);
      }
    }
    assertTrue(longest > 1000, "the backoff reached toward max-backoff: " + longest);
    l = l.synced(l.generation()).failed();
    for (int i = 0; i < 50; i++) {
      assertTrue(l.restartDelay(RETRY, random).toMillis() <= 100, "the first failure after a sync: min-backoff");
    }
  }

  @ParameterizedTest(name = "phase {0}, being deleted {1} -> live {2}")
  @CsvSource({
      "Pending, false, true",
      "Running, false, true",
      "Unknown, false, true",
      ", false, true",
      "Succeeded, false, false",
      "Failed, false, false",
      "Running, true, false",
  })
  void livePodsAreThoseNotEndedNorBeingDeleted(String phase, boolean deleting, boolean live) {
    Pod pod = new PodBuilder().withNewMetadata().withName("p")
        .withDeletionTimestamp(deleting ? "2026-01-01T00:00:00Z" : null).endMetadata()
        .withNewStatus().withPhase(phase).endStatus().build();
    assertEquals(live, PodInformer.isLive(pod));
  }
}
