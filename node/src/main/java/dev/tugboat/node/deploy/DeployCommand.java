package dev.tugboat.node.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.mqtt.MqttSettings;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.Ids;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.eclipse.paho.client.mqttv3.MqttException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tugboat deploy FILE}: acts as a DOTS SO for one simulation. Reads the file
 * ({@link DeployFile}), checks it as a node checks a DeployModels, subscribes to the simulation's
 * notifications, publishes the DeployModels and prints each notification until
 * AllModelsHaveTerminated. Exit codes: 0 every model succeeded, 1 one or more failed, 2 bad input
 * (file or settings), 3 the broker could not be used or the timeout passed.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
    description = {"Deploy one simulation by hand, as a DOTS simulation orchestrator would, and follow it to its end.",
        "FILE (YAML, or JSON when it ends in .json) holds simulationId, simulatorId, keepLogsHours (default 24)",
        "and models, each with id, image and env (NAME: value); SIMULATOR_ID, SIMULATION_ID and MODEL_ID",
        "are added to a model's env unless set. Example: docs/examples/simulation.yaml.",
        "Reads the broker settings a node reads: MQTT_HOST, MQTT_PORT, MQTT_USERNAME, MQTT_PASSWORD and",
        "SIMULATOR_NAME; TUGBOAT_API_TOKEN (a viewer token) lets it show a failed model's last log lines.",
        "Exit code: 0 all models succeeded, 1 a model failed, 2 bad input, 3 broker problem or timeout.",
        "See the README, \"Try it yourself\"; the DOTS messages: docs/protocol.md."})
public final class DeployCommand implements Callable<Integer> {
  static final int ALL_SUCCEEDED = 0;
  static final int MODEL_FAILED = 1;
  static final int BAD_INPUT = 2;
  static final int BROKER_PROBLEM = 3;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The simulation to deploy (YAML or JSON).")
  Path file;

  @Option(names = "--mqtt-host", paramLabel = "HOST", description = "The broker's host (default: MQTT_HOST, else localhost).")
  String mqttHost;

  @Option(names = "--mqtt-port", paramLabel = "PORT", description = "The broker's port (default: MQTT_PORT, else 1883).")
  Integer mqttPort;

  @Option(names = "--simulation-id", paramLabel = "ID",
      description = "Use this simulation id instead of the file's (a simulation id is deployed once).")
  String simulationId;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1h",
      description = "Give up (exit 3) when the simulation has not ended by then, e.g. 90s, 30m, 2h (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--api", paramLabel = "URL",
      description = "A node's HTTP API, to read a failed model's last log lines (default: http://127.0.0.1:TUGBOAT_HTTP_PORT, else port 8080).")
  String api;

  private final Supplier<Config> config;
  private final Map<String, String> env;

  /** The command with the configuration a node reads (application.conf, environment variables). */
  public DeployCommand() {
    this(ConfigFactory::load, System.getenv());
  }

  /** The command reading {@code config} and the variables {@code env} instead of the process's. */
  public DeployCommand(Supplier<Config> config, Map<String, String> env) {
    this.config = config;
    this.env = Map.copyOf(env);
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run(out, err);
    } finally {
      out.flush();
      err.flush();
    }
  }

  private int run(PrintWriter out, PrintWriter err) throws InterruptedException {
    Config c;
    MqttSettings mqtt;
    DeployLimits limits;
    Duration wait;
    try {
      c = config.get();
      mqtt = MqttSettings.fromConfig(c).withClientId("tugboat-deploy");
      mqtt = mqtt.withHostAndPort(mqttHost != null ? mqttHost : mqtt.host(), mqttPort != null ? mqttPort : mqtt.port());
      limits = DeployLimits.fromConfig(c);
      wait = ConfigFactory.parseString("t = \"" + timeout.replace("\"", "") + "\"").getDuration("t");
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("tugboat deploy: " + oneLine(e));
      return BAD_INPUT;
    }
    if (wait.isNegative() || wait.isZero()) {
      err.println("tugboat deploy: --timeout must be positive, was " + timeout);
      return BAD_INPUT;
    }
    DeployFile.Read read = DeployFile.read(file, simulationId, limits);
    if (!read.ok()) {
      read.problems().forEach(p -> err.println(file + ": " + p));
      return BAD_INPUT;
    }
    DeployFile deploy = read.file();
    ServiceLogs logs = new ServiceLogs(api != null ? api : "http://127.0.0.1:" + c.getInt("tugboat.http.port"),
        env.getOrDefault("TUGBOAT_API_TOKEN", ""));
    try (SoConnection so = SoConnection.open(mqtt, deploy.simulationId())) {
      so.deploy(deploy);
      out.printf("deployed simulation %s (simulator %s, %d model(s)) on %s as SO %s; following it%n",
          deploy.simulationId(), deploy.simulatorId(), deploy.models().size(), mqtt.serverUri(), mqtt.so());
      out.flush();
      return follow(so, deploy, logs, wait, out, err);
    } catch (MqttException e) {
      err.println("tugboat deploy: the broker at " + mqtt.serverUri() + " cannot be used: " + brokerProblem(e));
      return BROKER_PROBLEM;
    }
  }

  private int follow(SoConnection so, DeployFile deploy, ServiceLogs logs, Duration wait, PrintWriter out,
      PrintWriter err) throws InterruptedException {
    Progress progress = new Progress(deploy);
    long deadline = System.nanoTime() + wait.toNanos();
    while (!progress.over()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        err.println("tugboat deploy: simulation " + deploy.simulationId() + " did not end within " + timeout
            + " (a simulation id already deployed is not deployed again: try --simulation-id)");
        return BROKER_PROBLEM;
      }
      Optional<SoConnection.Arrival> next = so.next(Duration.ofNanos(Math.min(left, Duration.ofSeconds(1).toNanos())));
      if (next.isEmpty()) {
        continue;
      }
      if (next.get() instanceof SoConnection.Lost lost) {
        err.println("tugboat deploy: lost the connection to the broker: " + lost.cause());
        return BROKER_PROBLEM;
      }
      SoConnection.Message m = (SoConnection.Message) next.get();
      progress.read(m.topic(), m.payload()).ifPresent(step -> {
        out.println(step.line());
        step.failedModel().ifPresent(model ->
            logs.of(deploy.simulationId(), model).forEach(l -> out.println("    " + l)));
        out.flush();
      });
    }
    return progress.succeeded() ? ALL_SUCCEEDED : MODEL_FAILED;
  }

  private static String brokerProblem(MqttException e) {
    String cause = e.getCause() != null ? e.getCause().toString() : "";
    return e.getMessage() + " (reason code " + e.getReasonCode() + ")" + (cause.isEmpty() ? "" : ": " + cause);
  }

  private static String oneLine(Exception e) {
    return Ids.printable(String.valueOf(e.getMessage()), 500);
  }
}
