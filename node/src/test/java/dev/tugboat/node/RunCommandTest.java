package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * {@code run} checks every setting before it starts anything: each invalid value is one line
 * naming the variable and what it accepts, all of them at once, exit code 2, no stack trace and
 * the node never started; a good configuration gets the banner and then the start. The production
 * jar's {@code run} is always the production mode.
 */
class RunCommandTest {

  @TempDir
  Path dir;

  /** What one execution printed and returned, and the overrides the starter got (null: not started). */
  record Outcome(int code, String out, String err, Config started) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  /** An environment a production node starts with, so that only the variable under test is wrong. */
  private Map<String, String> goodEnvironment() throws IOException {
    Path key = dir.resolve("secret.key");
    Files.writeString(key, "a-key");
    Map<String, String> env = new HashMap<>();
    env.put("MQTT_HOST", "broker.example");
    env.put("MQTT_PORT", "1884");
    env.put("SIMULATOR_NAME", "dots-so");
    env.put("KUBERNETES_HOST", "10.0.0.1");
    env.put("KUBERNETES_PORT", "6443");
    env.put("KUBERNETES_API_TOKEN", "abc");
    env.put("TUGBOAT_SECRET_KEY_FILE", key.toString());
    env.put("TUGBOAT_DATA_DIR", dir.resolve("data").toString());
    return env;
  }

  /** A jar's command line, {@code run} reading {@code env} and starting with the given starter. */
  @FunctionalInterface
  interface CommandLines {
    CommandLine commandLine(NodeStarter starter, Map<String, String> env);
  }

  static Outcome execute(CommandLines factory, Map<String, String> env, String... args) {
    AtomicReference<Config> started = new AtomicReference<>();
    CommandLine cl = factory.commandLine(overrides -> {
      started.set(overrides);
      throw new StartRefused("stopped by the test after the start began");
    }, env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Outcome(code, out.toString(), err.toString(), started.get());
  }

  private Outcome run(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "run";
    System.arraycopy(args, 0, all, 1, args.length);
    return execute(Main::commandLine, env, all);
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "MQTT_PORT                 | abc        | MQTT_PORT (tugboat.mqtt.port) is 'abc': accepted is a port number from 1 to 65535",
      "MQTT_PORT                 | 0          | MQTT_PORT (tugboat.mqtt.port) is '0': accepted is a port number from 1 to 65535",
      "TUGBOAT_HTTP_PORT         | 70000      | TUGBOAT_HTTP_PORT (tugboat.http.port) is '70000': accepted is a port number from 0 to 65535",
      "TUGBOAT_HTTP_PORT         | abc        | TUGBOAT_HTTP_PORT (tugboat.http.port) is 'abc': accepted is a port number from 0 to 65535",
      "KUBERNETES_PORT           | https      | KUBERNETES_PORT (tugboat.kubernetes.port) is 'https': accepted is a port number",
      "KUBERNETES_MODE           | bogus      | KUBERNETES_MODE (tugboat.kubernetes.mode) is 'bogus': accepted is one of dots-env, kubeconfig, in-cluster, simulated",
      "TUGBOAT_MODE              | bogus      | TUGBOAT_MODE (tugboat.mode) is 'bogus': accepted is one of production, embedded",
      "TUGBOAT_DB_KIND           | mysql      | TUGBOAT_DB_KIND (tugboat.database.kind) is 'mysql': accepted is one of h2, postgres",
      "TUGBOAT_ORPHAN_GRACE      | soon       | TUGBOAT_ORPHAN_GRACE (tugboat.reconciler.orphan-grace) is 'soon': accepted is a duration",
      "TUGBOAT_ENDED_RETENTION   | -1d        | TUGBOAT_ENDED_RETENTION (tugboat.entities.ended-retention) is '-1d': accepted is a duration",
      "TUGBOAT_K8S_BURST         | 0          | TUGBOAT_K8S_BURST (tugboat.kubernetes.burst) is '0': accepted is a whole number >= 1",
      "TUGBOAT_K8S_QPS           | fast       | TUGBOAT_K8S_QPS (tugboat.kubernetes.qps) is 'fast': accepted is a number >= 0",
      "TUGBOAT_ANONYMOUS_READ    | maybe      | TUGBOAT_ANONYMOUS_READ (tugboat.http.auth.anonymous-read) is 'maybe': accepted is one of auto",
      "TUGBOAT_PROXY_VIA         | pod        | TUGBOAT_PROXY_VIA (tugboat.http.proxy.via) is 'pod': accepted is one of auto, pod-ip, api-server",
      "TUGBOAT_HOLD_ON_FAILURE   | sometimes  | TUGBOAT_HOLD_ON_FAILURE (tugboat.entities.hold-on-failure) is 'sometimes': accepted is one of true, false",
      "TUGBOAT_DRAIN_TIME        | soon       | TUGBOAT_DRAIN_TIME (tugboat.drain-time) is 'soon': accepted is a duration",
      "TUGBOAT_DRAIN_TIME        | 500ms      | tugboat.drain-time (TUGBOAT_DRAIN_TIME) must be a duration of at least 1s, got 500ms",
      "TUGBOAT_CLUSTER_BOOTSTRAP | dns        | TUGBOAT_CLUSTER_BOOTSTRAP (tugboat.cluster.bootstrap) is 'dns': accepted is one of none, kubernetes-api",
      "TUGBOAT_LOG_LEVEL         | loud       | TUGBOAT_LOG_LEVEL (logback.xml: level of the dev.tugboat loggers) is 'loud': accepted is one of trace",
      "TUGBOAT_SEED_NODES        | node-1     | tugboat.cluster.seed-nodes (TUGBOAT_SEED_NODES) has 'node-1', not an address",
      "KUBERNETES_NAMESPACE      | Not_A_Name | KUBERNETES_NAMESPACE: tugboat.kubernetes.namespace 'Not_A_Name' is not a valid namespace",
      "TUGBOAT_DB_KIND           | postgres   | TUGBOAT_DB_KIND: tugboat.database.kind = postgres needs tugboat.database.url (TUGBOAT_DB_URL)",
      "TUGBOAT_SECRET_KEY_FILE   | /nowhere   | TUGBOAT_SECRET_KEY_FILE (tugboat.secrets.key-file) is '/nowhere': no readable file there",
      "KUBERNETES_API_TOKEN      | ''         | KUBERNETES_API_TOKEN (tugboat.kubernetes.api-token) is not set: KUBERNETES_MODE dots-env"})
  void anInvalidValueIsOneLineNamingTheVariableAndExit2BeforeAnythingStarts(String name, String value,
      String line) throws IOException {
    Map<String, String> env = goodEnvironment();
    env.put(name, value);
    Outcome o = run(env);
    assertAll(
        () -> assertEquals(2, o.code(), o.err()),
        () -> assertEquals(2, o.errLines().size(), "one problem and the closing line: " + o.err()),
        () -> assertTrue(o.errLines().get(0).startsWith("tugboat: " + line), o.err()),
        () -> assertTrue(o.errLines().get(1).contains("not started"), o.err()),
        () -> assertFalse(o.err().contains("Exception") || o.err().contains("\tat "), o.err()),
        () -> assertEquals(null, o.started(), "nothing may start"),
        () -> assertEquals("", o.out(), "no banner"));
  }

  @Test
  void everyProblemIsReportedAtOnceAndNoSecretIsShown() throws IOException {
    Map<String, String> env = goodEnvironment();
    env.put("MQTT_PORT", "abc");
    env.put("KUBERNETES_MODE", "bogus");
    env.put("TUGBOAT_HTTP_PORT", "70000");
    env.put("TUGBOAT_ORPHAN_GRACE", "soon");
    env.put("MQTT_PASSWORD", "hunter2");
    env.put("KUBERNETES_API_TOKEN", "s3cret-token");
    env.put("TUGBOAT_DB_PASSWORD", "db-s3cret");
    Outcome o = run(env);
    assertEquals(2, o.code());
    List<String> named = new ArrayList<>();
    for (String l : o.errLines()) {
      for (String v : List.of("MQTT_PORT", "KUBERNETES_MODE", "TUGBOAT_HTTP_PORT", "TUGBOAT_ORPHAN_GRACE")) {
        if (l.startsWith("tugboat: " + v + " ")) {
          named.add(v);
        }
      }
    }
    assertEquals(List.of("MQTT_PORT", "KUBERNETES_MODE", "TUGBOAT_HTTP_PORT", "TUGBOAT_ORPHAN_GRACE"), named, o.err());
    assertEquals(5, o.errLines().size(), "one line each, no echo of the same fault: " + o.err());
    assertFalse(o.err().contains("hunter2") || o.err().contains("s3cret"), o.err());
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
      "TUGBOAT_MODE,    embedded",
      "KUBERNETES_MODE, simulated"})
  void theProductionJarRefusesTheEmbeddedModeAndTheSimulatedKubernetes(String name, String value)
      throws IOException {
    Map<String, String> env = goodEnvironment();
    env.put(name, value);
    Outcome o = run(env);
    assertEquals(2, o.code(), o.err());
    assertEquals(2, o.errLines().size(), o.err());
    assertTrue(o.errLines().get(0).startsWith("tugboat: " + name + " is '" + value + "'"), o.err());
    assertTrue(o.errLines().get(0).contains("java -jar tugboat-demo.jar run --embedded"), o.err());
    assertEquals(null, o.started());
  }

  @Test
  void theDotsVariablesAloneStartTheProductionModeAfterTheBanner() throws IOException {
    Map<String, String> env = goodEnvironment();
    env.put("TUGBOAT_MODE", "production");
    Outcome o = run(env, "--http-port", "18080", "--mqtt-port", "1999");
    assertEquals(2, o.code(), "the test's starter refuses: " + o.err());
    Config started = o.started();
    assertEquals("production", started.getString("tugboat.mode"));
    assertEquals(18080, started.getInt("tugboat.http.port"), "--http-port overrides TUGBOAT_HTTP_PORT");
    assertEquals(1999, started.getInt("tugboat.mqtt.port"), "--mqtt-port overrides MQTT_PORT");
    String banner = o.out();
    assertAll(
        () -> assertTrue(banner.startsWith("Tugboat " + TugboatVersion.version() + ", production mode\n"), banner),
        () -> assertTrue(banner.contains("broker:     tcp://broker.example:1999; SO simulator name 'dots-so'"), banner),
        () -> assertTrue(banner.contains("kubernetes: https://10.0.0.1:6443 (KUBERNETES_MODE dots-env"), banner),
        () -> assertTrue(banner.contains("journal:    H2 file " + dir.resolve("data").toAbsolutePath()), banner),
        () -> assertTrue(banner.contains("http:       http://127.0.0.1:18080"), banner),
        () -> assertFalse(banner.contains("abc"), "never the token: " + banner),
        () -> assertFalse(banner.contains("not used"), banner));
  }

  @Test
  void aPortOptionOutOfRangeIsOneLineNamingTheOption() throws IOException {
    Outcome o = run(goodEnvironment(), "--http-port", "70000");
    assertEquals(2, o.code());
    assertTrue(o.errLines().get(0).startsWith("tugboat: --http-port is 70000: accepted is a port number"), o.err());
    assertEquals(null, o.started());
  }

  @Test
  void theBannerNamesEverySetVariableThisModeDoesNotUse() throws IOException {
    Map<String, String> env = goodEnvironment();
    env.put("KUBERNETES_MODE", "kubeconfig");
    env.put("TUGBOAT_DB_PASWORD", "typo");
    Outcome o = run(env);
    assertTrue(o.out().contains("not used:   KUBERNETES_HOST is set, but KUBERNETES_MODE kubeconfig does not use it"),
        o.out());
    assertTrue(o.out().contains("not used:   KUBERNETES_API_TOKEN is set"), o.out());
    assertTrue(o.out().contains("not used:   TUGBOAT_DB_PASWORD is set, but Tugboat does not read it"), o.out());
    assertFalse(o.out().contains("typo"), o.out());
  }

  @Test
  void aStartThatFailsLaterIsOneLineAndExit1() throws IOException {
    CommandLine cl = Main.commandLine(overrides -> {
      throw new java.util.concurrent.ExecutionException(new java.net.BindException("Address already in use"));
    }, goodEnvironment());
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    assertEquals(1, cl.execute("run"));
    assertEquals("tugboat: the node could not start: BindException: Address already in use\n",
        err.toString().replace("\r\n", "\n"));
  }
}
