package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/** Live pods, the limit (cap, learnt, raised), the hold after a quota refusal, and the queue's turns and positions. */
class AdmissionTest {

  private static final long MS = 1_000_000L;
  private static final KubernetesSettings.Retry RETRY =
      new KubernetesSettings.Retry(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofMinutes(1));

  record Ask(String podName, String simulationId, long seq, String asker) implements Admission.Ask {}

  private Admission<Ask> admission;
  private long now = 1_000 * MS;

  private Admission<Ask> admission(int maxPods, int raiseAfter) {
    admission = new Admission<>(new KubernetesSettings.Admission(maxPods, raiseAfter), RETRY,
        LoggerFactory.getLogger(AdmissionTest.class));
    return admission;
  }

  private Ask ask(String simulation, String pod) {
    return new Ask(pod, simulation, admission.nextSeq(), "asker of " + pod);
  }

  private Admission.Verdict asks(String simulation, String pod) {
    return admission.ask(ask(simulation, pod), now);
  }

  private static List<String> pods(List<Ask> asks) {
    return asks.stream().map(Ask::podName).toList();
  }

  @Test
  void withoutACapEveryCreateIsAdmitted() {
    admission(0, 10);
    for (int i = 0; i < 100; i++) {
      assertEquals(Admission.Verdict.ADMITTED, asks("s", "p" + i));
    }
    assertEquals(0, admission.limit());
    assertEquals(100, admission.liveCount(), "admitted creates count until the informer sees their pods");
  }

  @Test
  void beyondTheCapCreatesQueueAndSimulationsTakeTurns() {
    admission(2, 10);
    assertEquals(Admission.Verdict.ADMITTED, asks("big", "b0"));
    assertEquals(Admission.Verdict.ADMITTED, asks("big", "b1"));
    Ask b2 = ask("big", "b2");
    Ask b3 = ask("big", "b3");
    Ask s0 = ask("small", "s0");
    for (Ask a : List.of(b2, b3, s0)) {
      assertEquals(Admission.Verdict.QUEUED, admission.ask(a, now));
    }
    assertEquals(List.of(1, 3, 2), List.of(admission.position(b2), admission.position(b3), admission.position(s0)));
    assertEquals(3, admission.queued());
    assertEquals("max-pods reached: at most 2 live pods", admission.reason());
    assertEquals(List.of(), admission.admitFromQueue(now), "no room yet");

    admission.seen("b0", true);
    admission.seen("b1", true);
    admission.seen("b0", false);
    assertEquals(List.of("b2"), pods(admission.admitFromQueue(now)));
    admission.seen("b1", false);
    admission.seen("b2", false);
    assertEquals(List.of("s0", "b3"), pods(admission.admitFromQueue(now)), "the small simulation's turn comes first");
    assertEquals(0, admission.queued());
  }

  @Test
  void aCreateQueuesBehindWaitingOnesEvenWithRoom() {
    admission(1, 10);
    asks("s", "a");
    assertEquals(Admission.Verdict.QUEUED, asks("s", "b"));
    admission.seen("a", false);
    assertEquals(Admission.Verdict.QUEUED, asks("s", "c"), "first asked, first admitted");
    assertEquals(List.of("b"), pods(admission.admitFromQueue(now)));
  }

  @ParameterizedTest(name = "pod seen live {0}, admitted {1}")
  @CsvSource({"true, false", "false, true", "true, true"})
  void aPodThatHoldsASlotTakesNoOther(boolean seenLive, boolean admittedBefore) {
    admission(1, 10);
    if (admittedBefore) {
      assertEquals(Admission.Verdict.ADMITTED, asks("s", "p"));
    }
    if (seenLive) {
      admission.seen("p", true);
    }
    assertEquals(Admission.Verdict.HOLDS_SLOT, asks("s", "p"));
    assertEquals(1, admission.liveCount());
  }

  @Test
  void askedAgainWhileQueuedKeepsItsPlaceWithTheLatestAsker() {
    admission(1, 10);
    asks("s", "a");
    Ask b = ask("s", "b");
    Ask c = ask("s", "c");
    admission.ask(b, now);
    admission.ask(c, now);
    assertEquals(b, admission.waiting("b"));
    Ask again = new Ask("b", "s", b.seq(), "second asker");
    assertEquals(1, admission.askedAgain(again));
    assertEquals(2, admission.queued(), "one entry per pod");
    admission.seen("a", false);
    assertEquals(List.of(again), admission.admitFromQueue(now));
  }

  @Test
  void aWithdrawnCreateLeavesTheQueue() {
    admission(1, 10);
    asks("s", "a");
    Ask b = ask("s", "b");
    admission.ask(b, now);
    assertEquals(b, admission.withdraw("b"));
    assertNull(admission.withdraw("b"));
    assertNull(admission.waiting("b"));
    admission.seen("a", false);
    assertEquals(List.of(), admission.admitFromQueue(now));
  }

  @Test
  void aFailedCreateOrADeletedPodFreesItsSlotAtOnce() {
    admission(1, 10);
    asks("s", "a");
    Ask b = ask("s", "b");
    admission.ask(b, now);
    assertTrue(admission.createFinished("a", false), "a failed create may make room");
    assertEquals(List.of(b), admission.admitFromQueue(now));
    assertFalse(admission.createFinished("b", true));
    assertEquals(1, admission.liveCount(), "created, not seen yet");
    assertTrue(admission.deleted("b"));
    assertFalse(admission.deleted("b"));
    assertEquals(0, admission.liveCount());
  }

  @Test
  void aQuotaRefusalLearnsTheLimitFromThePodsKnownToExistAndHolds() {
    admission(0, 3);
    for (String pod : List.of("a", "b", "c", "d")) {
      asks("s", pod);
    }
    admission.seen("a", true);
    admission.createFinished("b", true);
    // c is in flight (admitted, not created): it does not count as known.
    Ask d = new Ask("d", "s", 3, "asker of d");
    admission.quotaRefused("d", "exceeded quota", now, new Random(1));
    assertEquals(2, admission.limit(), "a is live and b created");
    assertTrue(admission.atQuota());
    assertEquals("pod quota reached: at most 2 live pods (learnt from \"exceeded quota\")", admission.reason());

    assertTrue(admission.requeue(d));
    assertFalse(admission.requeue(d), "one entry per pod");
    Ask e = ask("s", "e");
    assertEquals(Admission.Verdict.QUEUED, admission.ask(e, now));
    assertEquals(1, admission.position(d), "the refused create keeps its place, ahead of later asks");

    admission.createFinished("c", false);
    admission.deleted("b");
    assertEquals(1, admission.liveCount());
    assertEquals(List.of(), admission.admitFromQueue(now), "room, but the hold is on");
    long hold = admission.holdLeft(now);
    assertEquals(RETRY.minBackoff().toNanos(), hold, "the first refusal holds for min-backoff");
    assertEquals(List.of(d), admission.admitFromQueue(now + hold), "then one, up to the limit");
    assertEquals(0, admission.holdLeft(now + hold));
  }

  @Test
  void oneOfOurPodsEndingLiftsTheHold() {
    admission(0, 10);
    asks("s", "a");
    admission.seen("a", true);
    asks("s", "b");
    admission.quotaRefused("b", "exceeded quota", now, new Random(1));
    assertTrue(admission.requeue(new Ask("b", "s", 1, "asker of b")));
    assertTrue(admission.holdLeft(now) > 0);
    admission.seen("a", false);
    assertEquals(0, admission.holdLeft(now));
    assertEquals(List.of("b"), pods(admission.admitFromQueue(now)));
  }

  @Test
  void theHoldGrowsWithRefusalsInARowAndASuccessResetsIt() {
    admission(0, 10);
    Random random = new Random(7);
    long longest = 0;
    for (int refusal = 0; refusal < 8; refusal++) {
      asks("s", "p" + refusal);
      admission.quotaRefused("p" + refusal, "exceeded quota", now, random);
      admission.requeue(new Ask("p" + refusal, "s", refusal, "x"));
      long hold = admission.holdLeft(now);
      long cap = Math.min(2000, 100L << refusal) * MS;
      assertTrue(hold >= 100 * MS && hold <= cap, "refusal " + refusal + ": " + hold);
      longest = Math.max(longest, hold);
    }
    assertTrue(longest > 400 * MS, "the backoff grew: " + longest);
    admission.createFinished("ok", true);
    asks("s", "q");
    admission.quotaRefused("q", "exceeded quota", now, random);
    assertEquals(100 * MS, admission.holdLeft(now), "after a success the first refusal's hold again");
  }

  @ParameterizedTest(name = "cap {0}: limit {1} -> {2} after {3} successes")
  @CsvSource({
      "0, 1, 2, 3",
      "0, 1, 1, 2",
      "5, 3, 4, 3",
      "5, 4, 5, 3",
      "3, 1, 2, 3",
  })
  void successesRaiseTheLearntLimitUntilTheCapRulesAgain(int cap, int learnt, int expected, int successes) {
    admission(cap, 3);
    for (int i = 0; i < learnt; i++) {
      asks("s", "live" + i);
      admission.seen("live" + i, true);
    }
    asks("s", "refused");
    admission.quotaRefused("refused", "exceeded quota", now, new Random(0));
    assertEquals(learnt, admission.limit());
    for (int i = 0; i < successes; i++) {
      admission.createFinished("ok" + i, true);
    }
    assertEquals(expected, admission.limit());
    assertEquals(cap == 0 || expected < cap, admission.atQuota());
  }

  @Test
  void anotherRefusalLowersTheRaisedLimit() {
    admission(0, 1);
    asks("s", "a");
    admission.seen("a", true);
    asks("s", "b");
    admission.quotaRefused("b", "exceeded quota", now, new Random(0));
    admission.createFinished("x", true);
    admission.createFinished("y", true);
    assertEquals(3, admission.limit());
    admission.quotaRefused("b", "exceeded quota", now, new Random(0));
    assertEquals(1, admission.limit());
  }

  @Test
  void aSyncedInformerStartsTheLivePodsAfresh() {
    admission(3, 10);
    asks("s", "gone-unseen");
    asks("s", "seen-ended");
    asks("s", "in-flight");
    admission.seen("old", true);
    assertEquals(3, admission.limit());
    admission.synced(Map.of("seen-ended", false, "live", true));
    assertEquals(3, admission.liveCount(), "live, plus the admitted creates not seen: gone-unseen, in-flight");
    assertEquals(Admission.Verdict.QUEUED, asks("s", "next"));
  }
}
