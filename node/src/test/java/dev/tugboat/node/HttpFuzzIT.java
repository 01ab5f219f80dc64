package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.persistence.ServiceEntity;
import dev.tugboat.persistence.SimulationEntity;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.topics.Topic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.junit.jupiter.api.Test;

/**
 * A few thousand generated HTTP requests (fixed seed) against a node with real entities: random
 * methods, hostile path segments under /api/v1, random query strings, random and oversized bodies
 * and content types, and a few raw requests java.net.http cannot send (malformed escapes). No
 * answer is a 5xx other than a 503 with a JSON body, every 4xx says why, the node stays ready, and
 * no id but the one known simulation's ever gets an entity or a journal row.
 */
class HttpFuzzIT {
  private static final long SEED = 7_1105_2024L;
  private static final int REQUESTS = 3_000;
  private static final int RAW_REQUESTS = 60;
  private static final String KNOWN = "fuzz-known";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Marks a body above Pekko HTTP's 8 MiB max-content-length. */
  private static final byte[] OVERSIZED = new byte[0];

  private static final String[] METHODS = {"GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD",
      "OPTIONS", "TRACE", "FOO", "get"};
  /** What follows a service id in the routes' own shape. */
  private static final String[] SERVICE_RESOURCES = {"/retry", "/abandon", "/events", "/logs"};
  private static final String[] SEGMENTS = {
      "simulations", "simulations", "services", "retry", "abandon", KNOWN, "m0", "unknown-sim", "m9",
      "%00", "%0A", "%0D%0A", "%1F", "%7F", "%C2%85", "%E2%80%AE", "%F0%9F%9A%80", "%EF%BF%BF", "%ED%A0%80", "%C0%AF",
      "..", ".", "%2E%2E", "%2F", "%2F..%2F", "a%20b", "%23", "%2B", "%3F", "%25", "~", "%E3%80%80",
      "x".repeat(300), "y".repeat(1500), "", "%FF", "%80"};
  private static final Set<String> STANDARD_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  private static final String[] CONTENT_TYPES = {
      "application/json", "application/json; charset=utf-8", "application/json; charset=no-such-charset",
      "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "garbage",
      "application/octet-stream", "text/html; charset=utf-16"};
  private static final String[] ACCEPTS = {"*/*", "application/json", "text/html", "image/png", "garbage/", ""};
  private static final String[] BODIES = {
      "", "{}", "{\"reason\":\"fuzz\"}", "{\"reason\":null}", "{\"reason\":", "[1,2", "null", "\"\"",
      "{\"reason\":\"\\u0000\\u202e\"}", "{\"reason\":{\"deep\":[[[[[[[[[[]]]]]]]]]]}}", "\u0000\u0001\u00ff"};

  @Test
  void generatedRequestsNeverFailTheNodeOrStartAnEntity() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(1));
        TugboatNode node = stack.startNode(Map.of());
        SimulatedSo so = stack.so()) {
      so.deploy("204-asd", KNOWN, List.of(new ModelSpec("m0", "fake_model:latest", List.of(
          new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(stack.mqttPort)),
          new EnvVar("SIMULATOR_ID", "204-asd"), new EnvVar("SIMULATION_ID", KNOWN),
          new EnvVar("MODEL_ID", "m0")))), 24.0);
      TestStack.receiveUntil(so, KNOWN, l -> l.stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated),
          Duration.ofSeconds(60));
      JournalRows journal = new JournalRows(node.system().settings().config());
      Set<String> idsBefore = entityPersistenceIds(journal);

      Random random = new Random(SEED);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String base = "http://127.0.0.1:" + node.httpPort();
      Map<Integer, Integer> statuses = new TreeMap<>();
      List<String> failures = new ArrayList<>();
      long started = System.nanoTime();
      for (int i = 0; i < REQUESTS; i++) {
        String method = METHODS[random.nextInt(METHODS.length)];
        String target = path(random) + query(random);
        byte[] body = body(random);
        if (body == OVERSIZED) {
          // Announced, not sent: past max-content-length the server answers without reading the
          // body and closes the connection, so a client still writing would lose the answer.
          RawResponse response = raw(node.httpPort(), method + " " + target + " HTTP/1.1\r\nHost: x\r\n"
              + "Content-Type: application/json\r\nContent-Length: " + (9 * 1024 * 1024) + "\r\n\r\n");
          statuses.merge(response.status(), 1, Integer::sum);
          check(method + " " + shorten(target) + " [9 MiB announced]", method, response.status(), response.body(),
              response.contentType()).ifPresent(failures::add);
          continue;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + target)).timeout(Duration.ofSeconds(30))

            .method(method, body.length == 0 && random.nextBoolean()
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        switch (random.nextInt(8)) {
          case 0 -> { } // no token: the answer is 401, never a handler's
          case 1 -> b.header("Authorization", random.nextBoolean() ? "Bearer tgb_wrong" : "Basic Zm9vOmJhcg==");
          default -> b.header("Authorization", "Bearer " + stack.operatorToken); // reaches the handlers
        }
        if (random.nextBoolean()) {
          b.header("Content-Type", CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)]);
        }
        String accept = ACCEPTS[random.nextInt(ACCEPTS.length)];
        if (!accept.isEmpty()) {
          b.header("Accept", accept);
        }
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        statuses.merge(response.statusCode(), 1, Integer::sum);
        check(method + " " + shorten(target) + " [" + body.length + " bytes]", method,
            response.statusCode(), response.body(), response.headers().firstValue("Content-Type").orElse(""))
            .ifPresent(failures::add);
      }
      for (int i = 0; i < RAW_REQUESTS; i++) {
        String target = rawPath(random);
        RawResponse response = raw(node.httpPort(), "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        statuses.merge(response.status(), 1, Integer::sum);
        check("raw GET " + shorten(target), "GET", response.status(), response.body(), response.contentType())
            .ifPresent(failures::add);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())), failures.size() + " bad answers");
      assertEquals(200, stack.get(node, "/health/ready").statusCode());
      assertEquals(idsBefore, entityPersistenceIds(journal), "no entity journaled anything for a fuzzed id");
      Set<String> running = new TreeSet<>(runningEntities(node.system(), SimulationEntity.ENTITY_KEY));
      running.addAll(runningEntities(node.system(), ServiceEntity.ENTITY_KEY));
      running.removeIf(id -> id.equals(KNOWN) || id.startsWith(KNOWN + "/"));
      assertEquals(Set.of(), running, "entities started for unknown ids");
      System.out.printf("HttpFuzzIT: %d requests in %d ms; statuses %s%n", REQUESTS + RAW_REQUESTS, took.toMillis(),
          statuses);
    }
  }

  /** Why one answer breaks the contract, or empty. */
  private static java.util.Optional<String> check(String request, String method, int status, String body,
      String contentType) {
    String problem = null;
    if (status == 501 && !STANDARD_METHODS.contains(method) && body != null && !body.isBlank()) {
      // RFC 9110: the answer to a method the server does not recognise, given by Pekko's parser.
      return java.util.Optional.empty();
    }
    if (status >= 500 && status != 503) {
      problem = "status " + status;
    } else if (status == 503 && !isJsonWithError(body)) {
      problem = "503 without a JSON error body";
    } else if (status >= 400 && !method.equals("HEAD") && (body == null || body.isBlank())) {
      problem = status + " without a body";
    } else if (status >= 400 && !method.equals("HEAD") && contentType.startsWith("application/json")
        && !isJsonWithError(body)) {
      problem = status + " with a JSON body that names no error";
    }
    return java.util.Optional.ofNullable(problem)
        .map(p -> request + ": " + p + ": " + shorten(String.valueOf(body)));
  }

  private static boolean isJsonWithError(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      return n != null && !n.path("error").asText().isBlank();
    } catch (IOException e) {
      return false;
    }
  }

  private static String path(Random random) {
    if (random.nextBoolean()) {
      // The routes' own shape, with a hostile or known segment where each id goes.
      StringBuilder p = new StringBuilder("/api/v1/simulations/").append(id(random));
      if (random.nextInt(3) > 0) {
        p.append("/services/").append(id(random));
        if (random.nextBoolean()) {
          p.append(SERVICE_RESOURCES[random.nextInt(SERVICE_RESOURCES.length)]);
        }
      }
      return p.toString();
    }
    StringBuilder p = new StringBuilder(random.nextInt(10) == 0 ? "/" : "/api/v1");
    for (int n = random.nextInt(6); n > 0; n--) {
      p.append('/').append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
    }
    if (random.nextInt(20) == 0) {
      p.append('/');
    }
    return p.toString();
  }

  private static String id(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> KNOWN;
      case 1 -> "m0";
      default -> SEGMENTS[random.nextInt(SEGMENTS.length)];
    };
  }

  private static String query(Random random) {
    if (random.nextBoolean()) {
      return "";
    }
    StringBuilder q = new StringBuilder("?");
    for (int n = random.nextInt(4); n >= 0; n--) {
      q.append(SEGMENTS[random.nextInt(SEGMENTS.length)]).append('=').append(SEGMENTS[random.nextInt(SEGMENTS.length)])
          .append(random.nextBoolean() ? "&" : "&&;");
    }
    return q.toString();
  }

  private static byte[] body(Random random) {
    int pick = random.nextInt(100);
    if (pick < 40) {
      return new byte[0];
    }
    if (pick < 70) {
      return BODIES[random.nextInt(BODIES.length)].getBytes(StandardCharsets.UTF_8);
    }
    if (pick == 99) {
      return OVERSIZED;
    }
    byte[] b = new byte[random.nextInt(4096)];
    random.nextBytes(b);
    return b;
  }

  /** Request targets java.net.URI refuses: malformed escapes, raw control and non-ASCII bytes. */
  private static String rawPath(Random random) {
    String[] hostile = {"%zz", "%", "%4", "a%G0", "%%", "\u00e9", "\\..\\", "|", "{}", "^", "`", "\"", "<>"};
    StringBuilder p = new StringBuilder("/api/v1/simulations/");
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      p.append(hostile[random.nextInt(hostile.length)]);
    }
    if (random.nextBoolean()) {
      p.append("/services/").append(hostile[random.nextInt(hostile.length)]);
    }
    return p.toString();
  }

  private record RawResponse(int status, String contentType, String body) {}

  /**
   * Sends a request as written and reads one answer: its head, then as many body bytes as its
   * Content-Length says (the server may keep the connection open, waiting for a body never sent).
   */
  private static RawResponse raw(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.write(b);
      }
      String headText = head.toString(StandardCharsets.ISO_8859_1);
      String contentType = header(headText, "content-type");
      String length = header(headText, "content-length");
      byte[] body = length.isEmpty() ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
      int status = Integer.parseInt(headText.substring(9, 12));
      return new RawResponse(status, contentType, new String(body, StandardCharsets.UTF_8));
    }
  }

  private static String header(String head, String name) {
    return head.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith(name + ":"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
  }

  private static Set<String> entityPersistenceIds(JournalRows journal) throws Exception {
    Set<String> ids = new TreeSet<>(journal.persistenceIds("simulation_journal"));
    journal.persistenceIds("event_journal").stream().filter(id -> !id.startsWith("/sharding/")).forEach(ids::add);
    return ids;
  }

  /** The entity ids this node's shard region for {@code key} runs now. */
  private static Set<String> runningEntities(ActorSystem<?> system, EntityTypeKey<?> key) throws Exception {
    ShardRegion.CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(), replyTo -> new GetShardRegionState(key, replyTo),
            Duration.ofSeconds(10), system.scheduler())
        .toCompletableFuture().get();
    Set<String> ids = new TreeSet<>();
    state.getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
    return ids;
  }

  private static String shorten(String s) {
    return s.length() > 160 ? s.substring(0, 160) + "…(" + s.length() + ")" : s;
  }
}
