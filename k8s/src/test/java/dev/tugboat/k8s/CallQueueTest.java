package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ready queues per kind in dispatch order, one call per pod, and joining a repeated create or delete. */
class CallQueueTest {

  /** A call as the queue sees it; name tells calls apart in the assertions. */
  record C(CallKind kind, String podName, String turn, String name) implements CallQueue.Entry {
    static C create(String simulation, String pod) {
      return new C(CallKind.CREATE, pod, simulation, "create " + pod);
    }

    static C of(CallKind kind, String pod) {
      return new C(kind, pod, "", kind.tag + " " + pod);
    }
  }

  private final CallQueue<C, String> queue = new CallQueue<>();

  /** Takes every ready call the way the gateway starts them: kind by kind in dispatch order, releasing each pod. */
  private List<String> drain() {
    List<String> started = new ArrayList<>();
    for (boolean any = true; any; ) {
      any = false;
      for (CallKind kind : CallKind.DISPATCH_ORDER) {
        C call = queue.poll(kind);
        if (call != null) {
          started.add(call.name());
          queue.release(call.podName());
          any = true;
          break;
        }
      }
    }
    return started;
  }

  @Test
  void callsOfOneKindStartFirstInFirstOut() {
    for (String pod : List.of("p3", "p1", "p2")) {
      queue.submit(C.of(CallKind.DELETE, pod));
    }
    assertEquals(List.of("delete p3", "delete p1", "delete p2"), drain());
  }

  @Test
  void createsTakeTurnsBySimulation() {
    for (int i = 0; i < 4; i++) {
      queue.submit(C.create("big", "big-" + i));
    }
    queue.submit(C.create("small", "small-0"));
    queue.submit(C.create("small", "small-1"));
    assertEquals(List.of("create big-0", "create small-0", "create big-1", "create small-1", "create big-2",
        "create big-3"), drain());
  }

  @ParameterizedTest(name = "{0} asked after a create starts before it")
  @CsvSource({"LOG", "DELETE", "GET"})
  void callsOnPodsThatExistGoAheadOfCreates(CallKind kind) {
    queue.submit(C.create("s", "a"));
    queue.submit(C.of(kind, "b"));
    assertEquals(List.of(kind.tag + " b", "create a"), drain());
  }

  @Test
  void logReadsGoAheadOfDeletes() {
    queue.submit(C.of(CallKind.DELETE, "a"));
    queue.submit(C.of(CallKind.LOG, "b"));
    assertEquals(List.of("log b", "delete a"), drain());
  }

  @Test
  void aPodHasAtMostOneCallAtATime() {
    queue.submit(C.create("s", "p"));
    queue.submit(C.of(CallKind.LOG, "p"));
    queue.submit(C.of(CallKind.DELETE, "p"));
    assertEquals(3, queue.queued(), "ready and waiting calls both count");
    assertTrue(queue.isEmpty(CallKind.LOG), "the log read waits for the create, though its kind goes first");
    C create = queue.poll(CallKind.CREATE);
    assertNull(queue.poll(CallKind.DELETE));
    queue.release(create.podName());
    assertEquals("log p", queue.peek(CallKind.LOG).name(), "the pod's next call in the order asked");
    assertTrue(queue.isEmpty(CallKind.DELETE));
    assertEquals(2, queue.queued());
    assertEquals(List.of("log p", "delete p"), drain());
    assertEquals(0, queue.queued());
  }

  @Test
  void aCallPutBackAfterA429GoesFirstAndARetryLast() {
    queue.submit(C.of(CallKind.DELETE, "a"));
    queue.submit(C.of(CallKind.DELETE, "b"));
    queue.submit(C.of(CallKind.DELETE, "c"));
    C refused = queue.poll(CallKind.DELETE);
    C failed = queue.poll(CallKind.DELETE);
    queue.putBack(refused);
    queue.retry(failed);
    assertEquals(List.of("delete a", "delete c", "delete b"), drain());
  }

  @Test
  void aRepeatedCreateOrDeleteJoinsThePodsLatestOfThatKindOnly() {
    assertFalse(queue.join(CallKind.CREATE, "p", "first"), "nothing to join yet");
    CallQueue.Mutation<String> create = queue.startMutation(CallKind.CREATE, "p");
    assertTrue(queue.join(CallKind.CREATE, "p", "second"));
    assertTrue(queue.join(CallKind.CREATE, "p", "third"));
    assertFalse(queue.join(CallKind.DELETE, "p", "deleter"), "a delete never joins a create");
    assertFalse(queue.join(CallKind.CREATE, "q", "other pod"));
    assertFalse(queue.deleteAskedSince("p", create));

    CallQueue.Mutation<String> delete = queue.startMutation(CallKind.DELETE, "p");
    assertTrue(queue.deleteAskedSince("p", create), "the delete waits behind the create");
    assertFalse(queue.join(CallKind.CREATE, "p", "late"), "a create asked after the delete does not join the earlier create");
    assertTrue(queue.join(CallKind.DELETE, "p", "deleter again"));

    assertEquals(List.of("second", "third"), queue.finishMutation("p", create));
    assertTrue(queue.join(CallKind.DELETE, "p", "still the delete"), "finishing an older mutation keeps the latest");
    assertEquals(List.of("deleter again", "still the delete"), queue.finishMutation("p", delete));
    assertFalse(queue.join(CallKind.DELETE, "p", "after"), "a finished mutation is joined by nobody");
  }
}
