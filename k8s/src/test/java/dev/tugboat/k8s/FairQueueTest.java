package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FairQueueTest {

  private static List<String> drain(FairQueue<String> q) {
    List<String> out = new ArrayList<>();
    for (String s = q.pollNext(); s != null; s = q.pollNext()) {
      out.add(s);
    }
    return out;
  }

  @Test
  void aSmallKeyAskedLaterIsServedAlongsideABigOne() {
    FairQueue<String> q = new FairQueue<>();
    for (int i = 0; i < 1000; i++) {
      q.add("big", i, "big-" + i);
    }
    for (int i = 0; i < 3; i++) {
      q.add("small", 1000 + i, "small-" + i);
    }
    assertEquals(4, q.position("small", 1001), "big-0, small-0, big-1, then small-1");
    assertEquals("big-0", q.peekNext());
    assertEquals(1003, q.size(), "peeking takes nothing");
    List<String> order = drain(q);
    assertEquals(List.of("big-0", "small-0", "big-1", "small-1", "big-2", "small-2", "big-3"), order.subList(0, 7));
    assertEquals(1003, order.size());
  }

  @Test
  void withinAKeyItemsGoByTheirOrderWhateverTheOrderOfAdding() {
    FairQueue<String> q = new FairQueue<>();
    q.add("a", 5, "five");
    q.add("a", 1, "one");
    q.add("a", -1, "retried first");
    assertEquals(List.of("retried first", "one", "five"), drain(q));
    assertTrue(q.isEmpty());
    assertNull(q.pollNext());
  }

  @Test
  void removeAndReplaceKeepTheCount() {
    FairQueue<String> q = new FairQueue<>();
    q.add("a", 1, "a1");
    q.add("a", 1, "a1 again");
    q.add("b", 2, "b2");
    assertEquals(2, q.size());
    assertEquals("a1 again", q.remove("a", 1));
    assertNull(q.remove("a", 1));
    assertEquals(1, q.size());
    assertEquals(List.of("b2"), drain(q));
  }

  @Test
  void positionsMatchTheOrderOfServiceForRandomQueues() {
    Random random = new Random(42);
    for (int run = 0; run < 200; run++) {
      FairQueue<String> q = new FairQueue<>();
      List<long[]> added = new ArrayList<>();
      int n = 1 + random.nextInt(40);
      for (int i = 0; i < n; i++) {
        int key = random.nextInt(5);
        long order = random.nextInt(1000);
        q.add("k" + key, order, key + ":" + order);
        added.add(new long[] {key, order});
      }
      // Predicted positions before serving, then the actual order of service.
      java.util.Map<String, Integer> predicted = new java.util.HashMap<>();
      for (long[] a : added) {
        predicted.put(a[0] + ":" + a[1], q.position("k" + a[0], a[1]));
      }
      List<String> served = drain(q);
      for (int i = 0; i < served.size(); i++) {
        assertEquals(i + 1, predicted.get(served.get(i)), "run " + run + ": " + served);
      }
    }
  }
}
