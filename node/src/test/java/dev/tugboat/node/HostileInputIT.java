package dev.tugboat.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tugboat.mqtt.sim.SimulatedSo;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.DeployValidator;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.MqttText;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import dev.tugboat.protocol.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A few thousand generated hostile MQTT messages (fixed seed, so a failure reproduces) through the
 * real broker into one node, with a valid simulation in their midst: the valid one completes with
 * every notification, the node stays ready, the journal holds only what the contract says is
 * stored (docs/protocol.md, "Delivery guarantees"): a simulation for every DeployModels refused
 * and told, or deployed, and nothing for anything dropped.
 */
class HostileInputIT {
  private static final long SEED = 20240611L;
  private static final int MESSAGES = 3_000;
  private static final int RAW_TOPICS = 12;
  // Small limits make an over-limit message cheap to send.
  private static final int MAX_MESSAGE_BYTES = 4096;
  private static final int MAX_MODELS = 20;
  private static final int MAX_ENV_VARS = 8;
  private static final DeployLimits LIMITS =
      new DeployLimits(MAX_MESSAGE_BYTES, MAX_MODELS, MAX_ENV_VARS, 1024, 8760);
  private static final String SO = "dots-so";
  private static final String SIMULATOR = "204-asd";
  private static final String GOOD = "hostile-good";
  private static final double KEEP_LOGS_HOURS = 1.0 / 3600;

  /** One generated message; {@code told} marks a refusal the SO must hear about. */
  private record Hostile(String kind, String topic, byte[] payload, boolean told) {}

  @Test
  void hostileMessagesStopNothingFloodNothingAndStoreNothingInvalid() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofSeconds(2))) {
      Map<String, Object> limits = Map.of(
          "tugboat.limits.max-message-bytes", MAX_MESSAGE_BYTES,
          "tugboat.limits.max-models", MAX_MODELS,
          "tugboat.limits.max-env-vars", MAX_ENV_VARS,
          "tugboat.limits.max-env-value-bytes", 1024);
      try (TugboatNode node = stack.startNode(limits); SimulatedSo so = stack.so()) {
        Generator gen = new Generator(new Random(SEED), stack.mqttPort);
        List<Hostile> messages = new ArrayList<>(MESSAGES);
        for (int i = 0; i < MESSAGES; i++) {
          messages.add(gen.next());
        }
        Set<String> expectedStored = new TreeSet<>(Set.of(GOOD));
        Set<String> told = new TreeSet<>();
        for (Hostile h : messages) {
          if (storedByContract(h.topic(), h.payload())) {
            expectedStored.add(simulationIdOf(h.topic()));
          }
          if (h.told()) {
            assertTrue(storedByContract(h.topic(), h.payload()), "generator: a told refusal is stored: " + h.kind());
            told.add(simulationIdOf(h.topic()));
          }
        }
        long deployDropped = messages.stream().filter(h -> h.kind().startsWith("drop:")).count();
        double droppedBefore = stack.metric(node, "tugboat_mqtt_inbound_dropped_total", "");
        double malformedBefore = stack.metric(node, "tugboat_mqtt_inbound_dropped_total", "malformed-topic");

        Inbox inbox = new Inbox(so);
        long started = System.nanoTime();
        for (int i = 0; i < messages.size(); i++) {
          if (i == messages.size() / 3) {
            so.deploy(SIMULATOR, GOOD, goodModels(stack.mqttPort), KEEP_LOGS_HOURS);
          }
          so.publish(messages.get(i).topic(), messages.get(i).payload());
        }
        try (RawMqttPublisher raw = new RawMqttPublisher(stack.mqttPort, "hostile-raw")) {
          for (int i = 0; i < RAW_TOPICS; i++) {
            String topic = i % 2 == 0
                ? "/lifecycle/" + SO + "/mso/rocket\uD83D\uDE80" + i + "/DeployModels"
                : "/lifecycle/model/mso/" + GOOD + "/m\uD83D\uDE80" + i + "/ReadyForProcessing";
            byte[] payload = i % 2 == 0 ? gen.template("rocket" + i) : new byte[0];
            assertTrue(raw.publish(topic.getBytes(StandardCharsets.UTF_8), payload),
                "the broker acknowledged the 4-byte topic " + i);
          }
        }
        Duration publishing = Duration.ofNanos(System.nanoTime() - started);

        inbox.drainUntil(() -> inbox.ended(GOOD), Duration.ofSeconds(90));
        List<SimulatedSo.Received> good = inbox.of(GOOD);
        assertEquals(1, good.stream().filter(r -> r.topic() instanceof Topic.ModelsReady).count(), describe(good));
        Set<String> terminated = good.stream().filter(r -> r.topic() instanceof Topic.ModelHasTerminated)
            .map(r -> ((Topic.ModelHasTerminated) r.topic()).modelId()).collect(Collectors.toSet());
        assertEquals(Set.of("m0", "m1", "m2"), terminated, describe(good));
        assertEquals(5, good.size(), describe(good));
        for (SimulatedSo.Received r : good) {
          if (r.message() instanceof Lifecycle.ModelHasTerminated m) {
            assertEquals(Lifecycle.TerminationStatus.SUCCESSFULL, m.getStatus(), describe(good));
          }
        }

        inbox.drainUntil(() -> told.stream().allMatch(inbox::ended), Duration.ofSeconds(60));

        JournalRows journal = new JournalRows(node.system().settings().config());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
            .until(() -> journal.simulationIds().equals(expectedStored));
        Set<String> invalid = journal.simulationIds().stream().filter(id -> !Ids.isValid(id))
            .collect(Collectors.toSet());
        assertEquals(Set.of(), invalid, "stored simulation ids that are not valid ids");
        assertEquals(200, stack.get(node, "/health/ready").statusCode());
        double dropped = stack.metric(node, "tugboat_mqtt_inbound_dropped_total", "") - droppedBefore;
        assertTrue(dropped >= deployDropped + RAW_TOPICS, "dropped " + dropped + ", at least "
            + (deployDropped + RAW_TOPICS) + " expected");
        assertTrue(stack.metric(node, "tugboat_mqtt_inbound_dropped_total", "malformed-topic") - malformedBefore
            >= RAW_TOPICS, "every 4-byte topic was dropped as malformed");
        System.out.printf("HostileInputIT: %d messages (+%d raw) published in %d ms; %d simulations stored "
                + "(%d refusals told); %.0f messages dropped; kinds %s%n", messages.size(), RAW_TOPICS,
            publishing.toMillis(), expectedStored.size(), told.size(), dropped, kinds(messages));
      }
    }
  }

  /**
   * What the contract stores for a message: a simulation for a DeployModels of this SO under a
   * valid simulation id that is either over the size limit (refused) or decodes naming at least
   * one model (refused, rejected or deployed); nothing for anything else.
   */
  private static boolean storedByContract(String topic, byte[] payload) {
    Topic t;
    try {
      t = Topics.parse(topic);
    } catch (Topics.MalformedTopicException e) {
      return false;
    }
    if (!(t instanceof Topic.DeployModels d) || !SO.equals(d.so()) || !Ids.isValid(d.simulationId())) {
      return false;
    }
    if (payload.length > MAX_MESSAGE_BYTES) {
      return true;
    }
    try {
      return Lifecycle.DeployModels.parseFrom(payload).getModelConfigurationsCount() > 0;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static String simulationIdOf(String topic) throws Topics.MalformedTopicException {
    return ((Topic.DeployModels) Topics.parse(topic)).simulationId();
  }

  private static List<ModelSpec> goodModels(int mqttPort) {
    List<ModelSpec> models = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      models.add(fakeModel(GOOD, "m" + i, mqttPort));
    }
    return models;
  }

  private static ModelSpec fakeModel(String simulationId, String modelId, int mqttPort) {
    return new ModelSpec(modelId, "fake_model:latest", List.of(
        new EnvVar("MQTT_HOST", "127.0.0.1"), new EnvVar("MQTT_PORT", Integer.toString(mqttPort)),
        new EnvVar("SIMULATOR_ID", SIMULATOR), new EnvVar("SIMULATION_ID", simulationId),
        new EnvVar("MODEL_ID", modelId)));
  }

  private static String describe(List<SimulatedSo.Received> got) {
    return got.stream().map(SimulatedSo.Received::describe).toList().toString();
  }

  private static Map<String, Long> kinds(List<Hostile> messages) {
    return messages.stream().collect(Collectors.groupingBy(h -> h.kind().substring(0, h.kind().indexOf(':')),
        java.util.TreeMap::new, Collectors.counting()));
  }

  /** What the SO received, by simulation id; drained from the SO only while a test waits. */
  private static final class Inbox {
    private final SimulatedSo so;
    private final Map<String, List<SimulatedSo.Received>> bySimulation = new HashMap<>();

    Inbox(SimulatedSo so) {
      this.so = so;
    }

    void drainUntil(BooleanSupplier done, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.getAsBoolean()) {
        if (System.nanoTime() >= deadline) {
          throw new AssertionError("timed out after " + timeout + "; received for " + bySimulation.keySet().size()
              + " simulations, " + GOOD + ": " + describe(of(GOOD)));
        }
        so.next(Duration.ofMillis(200)).ifPresent(r -> {
          String[] levels = r.topic().format().split("/");
          bySimulation.computeIfAbsent(levels[4], k -> new ArrayList<>()).add(r);
        });
      }
    }

    List<SimulatedSo.Received> of(String simulationId) {
      return bySimulation.getOrDefault(simulationId, List.of());
    }

    boolean ended(String simulationId) {
      return of(simulationId).stream().anyMatch(r -> r.topic() instanceof Topic.AllModelsHaveTerminated);
    }
  }

  /**
   * Hostile messages from one seeded Random. Each kind is named "store:", "told:" or "drop:" after
   * what it is built to be; {@link #storedByContract} decides the generated cases (random and
   * mutated payloads) whose outcome only decoding can tell.
   */
  private static final class Generator {
    private static final String[] BAD_IDS = {
        "has space", "x".repeat(Ids.MAX_LENGTH + 1), "", "bidi\u202Eid", "nbsp\u00A0id", "private\uE000",
        "zero\u200Bwidth", "unassigned\u0378", "ideographic\u3000space", "line\u2028sep"};
    private static final String[] BAD_MODEL_IDS = {
        "has space", "a/b", "a+b", "a#b", "", "x".repeat(Ids.MAX_LENGTH + 1), "bidi\u202Eid", "private\uE000"};
    private static final String[] BAD_IMAGES = {
        "", "   ", "Upper/Case:tag", "image with space", "::", "a@sha256:zz", "x".repeat(600), "repo:tag:tag",
        "\u00e9clair:1"};
    private static final String[] BAD_ENV_NAMES = {"", "1ABC", "A B", "A=B", "..X", ".", "\u00c4", "x".repeat(300)};
    private static final double[] BAD_KEEP_LOGS = {
        -1, 8761, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300, -0.0001};
    private static final String TOPIC_ALPHABET =
        "abcXYZ019-_.:@!$%&'()*,;=~ \u00e9\u00a0\u200b\u202e\u2028\u3000\ue000\u0378\ufb01\u4e2d";
    private static final String[] TOPIC_WORDS = {
        "mso", "model", SO, "other-so", "DeployModels", "ReadyForProcessing", "ModelsReady", GOOD, "", "lifecycle"};

    private final Random random;
    private final int mqttPort;
    private int fresh;

    Generator(Random random, int mqttPort) {
      this.random = random;
      this.mqttPort = mqttPort;
    }

    Hostile next() {
      int pick = random.nextInt(100);
      if (pick < 12) {
        return deploy("store:random-bytes", freshId(), randomBytes(random.nextInt(400)));
      }
      if (pick < 30) {
        String id = freshId();
        return deploy("store:mutated", id, mutate(template(id)));
      }
      if (pick < 48) {
        return refused();
      }
      if (pick < 58) {
        String id = BAD_IDS[random.nextInt(BAD_IDS.length)] + (random.nextBoolean() ? "" : "-" + random.nextInt(99));
        String topic = new Topic.DeployModels(SO, id).format();
        return new Hostile("drop:invalid-simulation-id", publishable(topic) ? topic : new Topic.DeployModels(SO, "a b").format(),
            template("x"), false);
      }
      if (pick < 66) {
        return noModels();
      }
      if (pick < 82) {
        return readyForProcessing();
      }
      return randomTopic();
    }

    private static Hostile deploy(String kind, String simulationId, byte[] payload) {
      return new Hostile(kind, new Topic.DeployModels(SO, simulationId).format(), payload, false);
    }

    private String freshId() {
      return "hostile-" + fresh++;
    }

    /** A valid one-model DeployModels: the start of every mutation. */
    byte[] template(String simulationId) {
      return message(SIMULATOR, List.of(fakeModel(simulationId, "m0", mqttPort)), KEEP_LOGS_HOURS).toByteArray();
    }

    private byte[] mutate(byte[] valid) {
      byte[] b = valid;
      for (int ops = 1 + random.nextInt(3); ops > 0; ops--) {
        int at = random.nextInt(b.length + 1);
        switch (random.nextInt(3)) {
          case 0 -> {
            if (at < b.length) {
              b = b.clone();
              b[at] ^= (byte) (1 + random.nextInt(255));
            }
          }
          case 1 -> b = concat(slice(b, 0, at), slice(b, Math.min(b.length, at + 1 + random.nextInt(8)), b.length));
          default -> b = concat(slice(b, 0, at), randomBytes(1 + random.nextInt(8)), slice(b, at, b.length));
        }
      }
      return b;
    }

    /** A DeployModels built to be refused with the SO told; checked against the rules it breaks. */
    private Hostile refused() {
      String id = freshId();
      String topic = new Topic.DeployModels(SO, id).format();
      ModelSpec good = fakeModel(id, "m0", mqttPort);
      int variant = random.nextInt(11);
      List<ModelSpec> models = new ArrayList<>(List.of(good));
      String simulator = SIMULATOR;
      double keep = KEEP_LOGS_HOURS;
      String kind;
      switch (variant) {
        case 0 -> {
          models.add(new ModelSpec(pick(BAD_MODEL_IDS), "fake_model:latest", List.of()));
          kind = "told:model-id";
        }
        case 1 -> {
          models.set(0, new ModelSpec("m0", pick(BAD_IMAGES), good.env()));
          kind = "told:image";
        }
        case 2 -> {
          List<EnvVar> env = new ArrayList<>(good.env());
          env.add(random.nextInt(env.size() + 1), new EnvVar(pick(BAD_ENV_NAMES), "v"));
          models.set(0, new ModelSpec("m0", good.imageUrl(), env));
          kind = "told:env-name";
        }
        case 3 -> {
          keep = BAD_KEEP_LOGS[random.nextInt(BAD_KEEP_LOGS.length)];
          kind = "told:keep-logs-hours";
        }
        case 4 -> {
          models.add(new ModelSpec("m0", "fake_model:latest", List.of()));
          kind = "told:duplicate-model";
        }
        case 5 -> {
          simulator = pick(BAD_IDS);
          kind = "told:simulator-id";
        }
        case 6 -> {
          List<EnvVar> env = new ArrayList<>(good.env());
          env.add(new EnvVar(random.nextBoolean() ? "NUL" : "BIG", random.nextBoolean() ? "a\u0000b" : "v".repeat(1025)));
          models.set(0, new ModelSpec("m0", good.imageUrl(), env));
          kind = "told:env-value";
        }
        case 7 -> {
          List<EnvVar> env = new ArrayList<>(good.env());
          while (env.size() <= MAX_ENV_VARS) {
            env.add(new EnvVar("EXTRA_" + env.size(), "v"));
          }
          models.set(0, new ModelSpec("m0", good.imageUrl(), env));
          kind = "told:env-count";
        }
        case 8 -> {
          models.clear();
          for (int i = 0; i <= MAX_MODELS + random.nextInt(5); i++) {
            models.add(new ModelSpec("m" + i, "fake_model:latest", List.of()));
          }
          kind = "told:too-many-models";
        }
        case 9 -> {
          return new Hostile("told:wire-type", topic, wrongWireType(template(id)), true);
        }
        default -> {
          return new Hostile("told:oversized", topic, randomBytes(MAX_MESSAGE_BYTES + 1 + random.nextInt(300)), true);
        }
      }
      byte[] payload = message(simulator, models, keep).toByteArray();
      if (payload.length <= MAX_MESSAGE_BYTES && variant != 8) {
        DeployValidator.Validation v = DeployValidator.validate(id, simulator, models, keep, LIMITS);
        if (v.problem().isEmpty()) {
          throw new IllegalStateException("generator: " + kind + " is valid: " + models);
        }
      }
      return new Hostile(kind, topic, payload, true);
    }

    /** A valid message plus one known field sent with another wire type. */
    private byte[] wrongWireType(byte[] valid) {
      return switch (random.nextInt(4)) {
        // keepLogsHours (double) as a string
        case 0 -> concat(valid, new byte[] {0x1A, 3, 'o', 'n', 'e'});
        // simulatorId (string) as a varint
        case 1 -> concat(valid, new byte[] {0x08, 0x2A});
        // keepLogsHours (double) as a fixed32
        case 2 -> concat(valid, new byte[] {0x1D, 1, 2, 3, 4});
        // a model whose modelID (string) is a varint
        default -> concat(valid, new byte[] {0x12, 0x04, 0x08, 0x05, 0x12, 0x00});
      };
    }

    private Hostile noModels() {
      byte[] payload = switch (random.nextInt(3)) {
        case 0 -> new byte[0];
        case 1 -> Lifecycle.DeployModels.newBuilder().setSimulatorId(SIMULATOR).build().toByteArray();
        default -> Lifecycle.DeployModels.newBuilder().setSimulatorId(SIMULATOR).setKeepLogsHours(random.nextDouble())
            .build().toByteArray();
      };
      return deploy("drop:no-models", freshId(), payload);
    }

    private Hostile readyForProcessing() {
      String simulation = switch (random.nextInt(4)) {
        case 0 -> "unknown-" + random.nextInt(1_000_000);
        case 1 -> pick(BAD_IDS);
        case 2 -> GOOD;
        default -> "hostile-" + random.nextInt(Math.max(1, fresh));
      };
      String model = random.nextBoolean() ? "stranger-" + random.nextInt(1000) : pick(BAD_MODEL_IDS);
      String topic = "/lifecycle/model/mso/" + simulation + "/" + model + "/ReadyForProcessing";
      if (!publishable(topic)) {
        topic = "/lifecycle/model/mso/" + simulation + "/stranger/ReadyForProcessing";
      }
      byte[] payload = random.nextBoolean() ? new byte[0] : randomBytes(random.nextInt(64));
      return new Hostile("ready:unknown", topic, payload, false);
    }

    private Hostile randomTopic() {
      StringBuilder topic = new StringBuilder("/lifecycle");
      for (int levels = 1 + random.nextInt(6); levels > 0; levels--) {
        topic.append('/');
        if (random.nextInt(3) == 0) {
          topic.append(pick(TOPIC_WORDS));
        } else {
          for (int n = random.nextInt(20); n > 0; n--) {
            topic.append(TOPIC_ALPHABET.charAt(random.nextInt(TOPIC_ALPHABET.length())));
          }
        }
      }
      String t = publishable(topic.toString()) ? topic.toString() : "/lifecycle/unpublishable";
      return new Hostile("topic:random", t, randomBytes(random.nextInt(200)), false);
    }

    /**
     * What Paho publishes and HiveMQ CE accepts: no wildcard, nothing MQTT 3.1.1 cannot carry, and
     * none of U+FDC0..U+FDCF, for which HiveMQ CE 2024.6 closes the publisher's connection as it
     * does for the noncharacters right above them (the SO would then resend for a minute).
     */
    private static boolean publishable(String topic) {
      return MqttText.carriable(topic) && topic.indexOf('+') < 0 && topic.indexOf('#') < 0
          && topic.chars().noneMatch(c -> c >= 0xFDC0 && c <= 0xFDCF);
    }

    private String pick(String[] from) {
      return from[random.nextInt(from.length)];
    }

    private byte[] randomBytes(int n) {
      byte[] b = new byte[n];
      random.nextBytes(b);
      return b;
    }

    private static Lifecycle.DeployModels message(String simulator, List<ModelSpec> models, double keep) {
      Lifecycle.DeployModels.Builder b = Lifecycle.DeployModels.newBuilder().setSimulatorId(simulator)
          .setKeepLogsHours(keep);
      for (ModelSpec m : models) {
        Lifecycle.ModelConfiguration.Builder mc = Lifecycle.ModelConfiguration.newBuilder()
            .setModelID(m.modelId()).setImageUrl(m.imageUrl());
        for (EnvVar e : m.env()) {
          mc.addEnvironmentVariables(Lifecycle.EnvironmentVariable.newBuilder().setName(e.name()).setValue(e.value()));
        }
        b.addModelConfigurations(mc);
      }
      return b.build();
    }

    private static byte[] slice(byte[] b, int from, int to) {
      return java.util.Arrays.copyOfRange(b, from, to);
    }

    private static byte[] concat(byte[]... parts) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (byte[] p : parts) {
        out.writeBytes(p);
      }
      return out.toByteArray();
    }
  }
}
