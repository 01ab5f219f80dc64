package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class NodeStopTest {

  @Test
  void stepsRunOnceLastAddedFirst() {
    List<String> ran = new CopyOnWriteArrayList<>();
    NodeStop stop = new NodeStop();
    stop.add("broker", () -> ran.add("broker"));
    stop.add("database", () -> ran.add("database"));
    stop.add("actor-system", () -> ran.add("actor-system"));
    stop.run(Duration.ofSeconds(5));
    stop.run(Duration.ofSeconds(5));
    assertEquals(List.of("actor-system", "database", "broker"), ran);
  }

  @Test
  void aFailingStepDoesNotKeepTheOthersFromRunning() {
    List<String> ran = new CopyOnWriteArrayList<>();
    NodeStop stop = new NodeStop();
    stop.add("broker", () -> ran.add("broker"));
    stop.add("database", () -> {
      throw new java.sql.SQLException("already closed");
    });
    stop.run(Duration.ofSeconds(5));
    assertEquals(List.of("broker"), ran);
  }

  @Test
  void aStepThatHangsIsNotWaitedForBeyondTheDrainTimeAndTheRestStillStart() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch brokerAsked = new CountDownLatch(1);
    NodeStop stop = new NodeStop();
    stop.add("broker", brokerAsked::countDown);
    stop.add("actor-system", never::await);
    Duration drainTime = Duration.ofMillis(500);
    long start = System.nanoTime();
    stop.run(drainTime);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(drainTime.plusMillis(300)) < 0, "the stop took " + took);
    assertTrue(took.compareTo(drainTime) >= 0, "the hanging step had the whole drain time: " + took);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> brokerAsked.getCount() == 0);
    never.countDown();
  }
}
