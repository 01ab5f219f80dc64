package dev.tugboat.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.http.SseClient;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.events.EventPosition;
import dev.tugboat.protocol.topics.Topic;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * GET /api/v1/events on a real node (H2 journal, broker, simulated Kubernetes): a client sees a
 * simulation's events in order; events that happen while it is away, across a node restart, reach
 * it on reconnecting with Last-Event-ID, exactly (compared with a reader from the beginning); the
 * filter, the heartbeat, and 410 once retention removed what an id would resume after.
 */
class LiveEventsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** One event as a reader got it: its id, type and data. */
  record Seen(String id, String type, JsonNode data) {
    String simulationId() {
      return data.get("simulationId").asText();
    }
  }

  private static Map<String, Object> settings(Map<String, Object> extra) {
    Map<String, Object> m = new HashMap<>();
    m.put("tugboat.http.events.heartbeat", "300ms");
    m.put("tugboat.events.mark-interval", "100ms");
    m.putAll(extra);
    return m;
  }

  private static List<ModelSpec> models(TestStack stack, String simulationId, int count) {
    List<ModelSpec> models = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      models.add(new ModelSpec("m" + i, "fake_model:latest", List.of(
          new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
          new EnvVar("SIMULATOR_ID", "so"), new EnvVar("SIMULATION_ID", simulationId),
          new EnvVar("MODEL_ID", "m" + i))));
    }
    return models;
  }

  private SseClient open(TestStack stack, TugboatNode node, String query, Map<String, String> headers)
      throws Exception {
    Map<String, String> all = new HashMap<>(headers);
    all.put("Authorization", "Bearer " + stack.operatorToken);
    SseClient sse = SseClient.open(http, "http://127.0.0.1:" + node.httpPort() + "/api/v1/events" + query, all);
    assertEquals(200, sse.status());
    return sse;
  }

  /** Reads events until one satisfies {@code last} (included). */
  private static List<Seen> readUntil(SseClient sse, Predicate<Seen> last) throws Exception {
    List<Seen> seen = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      SseClient.Frame f = sse.nextEvent(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      Seen s = new Seen(f.id(), f.event(), JSON.readTree(f.data()));
      seen.add(s);
      if (last.test(s)) {
        return seen;
      }
    }
  }

  private static Predicate<Seen> ended(String simulationId) {
    return s -> s.type().equals("AllModelsHaveTerminatedQueued") && s.simulationId().equals(simulationId);
  }

  /** An event by where it is in the journals: the one number its id moved on from the id before. */
  record Key(int journal, long ordering, String event) {}

  private static List<Key> keys(EventPosition start, List<Seen> seen) {
    List<Key> keys = new ArrayList<>();
    EventPosition before = start;
    for (Seen s : seen) {
      EventPosition id = EventPosition.parse(s.id(), before.journals());
      int moved = -1;
      for (int j = 0; j < id.journals(); j++) {
        if (id.ordering(j) != before.ordering(j)) {
          assertEquals(-1, moved, "one event moves one journal's number: " + before + " -> " + id);
          assertTrue(id.ordering(j) > before.ordering(j), "ids only grow: " + before + " -> " + id);
          moved = j;
        }
      }
      assertTrue(moved >= 0, "every event moves its id: " + id);
      keys.add(new Key(moved, id.ordering(moved), s.type() + " " + s.data()));
      before = id;
    }
    return keys;
  }

  /** The keys of journal {@code j} up to ordering {@code upTo}, in order. */
  private static List<Key> journal(List<Key> keys, int j, long upTo) {
    return keys.stream().filter(k -> k.journal() == j && k.ordering() <= upTo).toList();
  }

  private static long last(List<Key> keys, int j) {
    return keys.stream().filter(k -> k.journal() == j).mapToLong(Key::ordering).max().orElse(0);
  }

  @Test
  void aReaderResumesAfterADisconnectAndANodeRestartWithExactlyWhatItMissed() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(1)); SimulatedSo so = stack.so()) {
      EventPosition origin = EventPosition.of(0, 0);
      List<Seen> firstVisit;
      try (TugboatNode node = stack.startNode(settings(Map.of()))) {
        try (SseClient sse = open(stack, node, "?after=" + origin, Map.of())) {
          so.deploy("so", "ev-1", models(stack, "ev-1", 2), 0);
          firstVisit = readUntil(sse, ended("ev-1"));
        }
        List<String> types = firstVisit.stream().map(Seen::type).toList();
        assertEquals("SimulationDeployed", types.get(0), types.toString());
        for (String model : List.of("m0", "m1")) {
          List<String> ofModel = firstVisit.stream().filter(s -> s.data().has("modelId")
              && s.data().get("modelId").asText().equals(model)).map(Seen::type).toList();
          assertTrue(ofModel.indexOf("PodRunning") >= 0
              && ofModel.indexOf("PodRunning") < ofModel.indexOf("ServiceTerminated")
              && ofModel.contains("ModelTerminated"), model + ": " + ofModel);
        }
        Seen end = firstVisit.get(firstVisit.size() - 1);
        assertEquals("ENDED", end.data().get("phase").asText());

        // Away: a second simulation runs and ends.
        so.deploy("so", "ev-2", models(stack, "ev-2", 2), 0);
        TestStack.receiveUntil(so, "ev-2", l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated),
            WAIT);
      }
      String lastId = firstVisit.get(firstVisit.size() - 1).id();

      try (TugboatNode restarted = stack.startNode(settings(Map.of()))) {
        List<Seen> missed;
        try (SseClient sse = open(stack, restarted, "", Map.of("Last-Event-ID", lastId))) {
          missed = readUntil(sse, ended("ev-2"));
          SseClient.Frame quiet = sse.next(Duration.ofSeconds(5));
          while (!quiet.isComment() || !"heartbeat".equals(quiet.comment())) {
            quiet = sse.next(Duration.ofSeconds(5));
          }
        }
        List<Seen> everything;
        try (SseClient sse = open(stack, restarted, "?after=" + origin, Map.of())) {
          everything = readUntil(sse, ended("ev-2"));
        }
        List<Key> seenInTwoVisits = new ArrayList<>(keys(origin, firstVisit));
        seenInTwoVisits.addAll(keys(EventPosition.parse(lastId, 2), missed));
        List<Key> all = keys(origin, everything);
        for (int j = 0; j < 2; j++) {
          // The two readers may stop at different events of the other journal; compare what both read.
          long upTo = Math.min(last(all, j), last(seenInTwoVisits, j));
          assertTrue(upTo > 0, "journal " + j + " was read");
          assertEquals(journal(all, j, upTo), journal(seenInTwoVisits, j, upTo), "journal " + j + ": no gap, no duplicate");
        }
        assertTrue(missed.stream().anyMatch(s -> s.type().equals("SimulationDeployed")
            && s.simulationId().equals("ev-2")), "what happened while away arrives on reconnecting");

        List<Seen> filtered;
        try (SseClient sse = open(stack, restarted, "?simulation=ev-1&after=" + origin, Map.of())) {
          filtered = readUntil(sse, ended("ev-1"));
        }
        assertTrue(filtered.stream().allMatch(s -> s.simulationId().equals("ev-1")), filtered.toString());
        assertEquals("SimulationDeployed", filtered.get(0).type());
      }
    }
  }

  @Test
  void anIdOlderThanWhatRetentionKeptIsGone() throws Exception {
    Map<String, Object> quickRetention = settings(Map.of(
        "tugboat.entities.ended-retention", "1s", "tugboat.entities.retention-sweep-interval", "500ms"));
    try (TestStack stack = TestStack.start(Duration.ofSeconds(3)); SimulatedSo so = stack.so();
        TugboatNode node = stack.startNode(quickRetention)) {
      so.deploy("so", "old", models(stack, "old", 1), 0);
      TestStack.receiveUntil(so, "old", l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated),
          WAIT);
      // Removal waits for the service to be Deleted and for a sweep: slow on a loaded machine.
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.get(node, "/api/v1/simulations/old").statusCode() == 404);
      // A simulation journaled after the removed one: resuming from before the removal would skip what was removed.
      so.deploy("so", "kept", models(stack, "kept", 1), 0);
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> stack.get(node, "/api/v1/simulations/kept").statusCode() == 200);

      // (A 200 here would be an endless stream: the request's timeout fails the test.)
      HttpResponse<String> gone = stack.get(node, "/api/v1/events?after=0-0");
      assertEquals(410, gone.statusCode(), gone.body());
      JsonNode body = JSON.readTree(gone.body());
      assertTrue(body.get("error").asText().startsWith("events after 0-0 are no longer retained"), gone.body());
      assertEquals("0-0", body.get("id").asText());
    }
  }
}
