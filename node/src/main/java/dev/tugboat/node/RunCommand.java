package dev.tugboat.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.k8s.KubernetesSettings;
import dev.tugboat.persistence.FixedSettings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tugboat run}: checks every setting ({@link SettingsCheck}), prints the banner
 * ({@link StartBanner}), starts a node and serves until SIGTERM (graceful leave, exit 0) or
 * until the node's actor system ends (exit 1). Settings a node cannot start with are printed one
 * line each and end it with exit code 2 before anything starts; a start that fails later is one
 * line and exit code 1.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Start a Tugboat node and serve until SIGTERM/SIGINT.",
        "Every setting is checked first: each invalid one is printed on one line (exit code 2) before anything"
            + " starts. Then a banner says the mode, the broker, the Kubernetes API server, the journal, the"
            + " HTTP address and every variable that is set but not used."})
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  private final NodeStarter starter;
  private final Map<String, String> environment;

  @Spec
  CommandSpec spec;

  @Option(names = "--http-port", paramLabel = "PORT",
      description = "HTTP port (0 = any free port); overrides TUGBOAT_HTTP_PORT (tugboat.http.port).")
  Integer httpPort;

  @Option(names = "--mqtt-port", paramLabel = "PORT",
      description = "Broker port: the broker the node connects to, or in the embedded mode the port the embedded"
          + " broker listens on; overrides MQTT_PORT (tugboat.mqtt.port).")
  Integer mqttPort;

  RunCommand(NodeStarter starter, Map<String, String> environment) {
    this.starter = starter;
    this.environment = environment;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Config overrides = overrides();
    List<String> problems = new ArrayList<>(optionProblems());
    Config config = null;
    try {
      config = SettingsCheck.load(overrides, environment);
    } catch (ConfigException e) {
      problems.add(e.getMessage().replace('\n', ' '));
    }
    if (config != null) {
      problems.addAll(modeProblems(config));
      problems.addAll(SettingsCheck.problems(config, environment));
    }
    if (!problems.isEmpty()) {
      for (String problem : problems) {
        err.println("tugboat: " + problem);
      }
      err.println("tugboat: not started; the settings are listed by `tugboat run --help` and in README.md,"
          + " \"Configuration\"");
      err.flush();
      return 2;
    }
    for (String line : StartBanner.lines(config, environment)) {
      out.println(line);
    }
    out.flush();
    TugboatNode node;
    try {
      node = starter.start(overrides);
    } catch (StartRefused | FixedSettings.Changed e) {
      err.println("tugboat: " + e.getMessage());
      err.flush();
      return 2;
    } catch (Exception e) {
      Throwable cause = rootCause(e);
      log.debug("the node could not start", e);
      err.println("tugboat: the node could not start: " + (cause.getMessage() == null ? cause.toString()
          : cause.getClass().getSimpleName() + ": " + cause.getMessage()));
      err.flush();
      return 1;
    }
    return serve(node, err);
  }

  /** The mode this command runs and the port options, over every other setting. */
  private Config overrides() {
    Map<String, Object> o = new HashMap<>();
    o.put("tugboat.mode", starter.embedded() ? "embedded" : "production");
    if (httpPort != null) {
      o.put("tugboat.http.port", httpPort);
    }
    if (mqttPort != null) {
      o.put("tugboat.mqtt.port", mqttPort);
    }
    return ConfigFactory.parseMap(o);
  }

  private List<String> optionProblems() {
    List<String> problems = new ArrayList<>();
    if (httpPort != null && (httpPort < 0 || httpPort > 65535)) {
      problems.add("--http-port is " + httpPort + ": accepted is a port number from 0 to 65535 (0 = any free port)");
    }
    if (mqttPort != null && (mqttPort < 1 || mqttPort > 65535)) {
      problems.add("--mqtt-port is " + mqttPort + ": accepted is a port number from 1 to 65535");
    }
    return problems;
  }

  /**
   * The mode is the command's: TUGBOAT_MODE (or -Dtugboat.mode) may only agree with it, and the
   * simulated Kubernetes is refused by a jar that does not carry it.
   */
  private List<String> modeProblems(Config config) {
    List<String> problems = new ArrayList<>();
    String mode = starter.embedded() ? "embedded" : "production";
    String asked = environment.get("TUGBOAT_MODE");
    String fromProperty = config.getString("tugboat.mode").strip().toLowerCase(Locale.ROOT);
    String setting = null;
    if (asked != null && List.of("embedded", "production").contains(asked.strip().toLowerCase(Locale.ROOT))
        && !asked.strip().equalsIgnoreCase(mode)) {
      setting = "TUGBOAT_MODE is '" + asked.strip() + "'";
    } else if (List.of("embedded", "production").contains(fromProperty) && !fromProperty.equals(mode)) {
      setting = "tugboat.mode is '" + fromProperty + "' (-Dtugboat.mode)";
    }
    if (setting != null) {
      problems.add(starter.embedded()
          ? setting + ", but run --embedded runs the embedded mode: unset it, or run without --embedded"
          : setting + ", but run without --embedded always runs the production mode: for the embedded broker and"
              + " the simulated Kubernetes run `java -jar tugboat-demo.jar run --embedded` (README, \"First steps\")");
    }
    if (!starter.embedded() && !starter.carriesSimulatedKubernetes()) {
      try {
        if (KubernetesSettings.Mode.parse(config.getString("tugboat.kubernetes.mode"))
            == KubernetesSettings.Mode.SIMULATED) {
          problems.add((environment.containsKey("KUBERNETES_MODE") ? "KUBERNETES_MODE" : "tugboat.kubernetes.mode")
              + " is 'simulated', which this jar does not carry: choose dots-env, kubeconfig or in-cluster, or run"
              + " `java -jar tugboat-demo.jar run --embedded`");
        }
      } catch (IllegalArgumentException e) {
        // SettingsCheck reports the value.
      }
    }
    return problems;
  }

  private int serve(TugboatNode node, PrintWriter err) throws InterruptedException {
    AtomicBoolean signalled = new AtomicBoolean();
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      signalled.set(true);
      node.close();
      closed.countDown();
    }, "tugboat-shutdown"));
    // A node that was downed by the split brain resolver (or could not join) terminates its actor
    // system; the process must then end too, so Kubernetes restarts it, instead of idling.
    node.system().getWhenTerminated().toCompletableFuture().join();
    if (!signalled.get()) {
      err.println("tugboat: the actor system terminated (left or removed from the cluster); exiting");
      err.flush();
      return 1;
    }
    closed.await();
    return 0;
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
