package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.node.deploy.DeployCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code tugboat deploy} against a real broker and node: it publishes a DeployModels the node
 * runs, prints each notification, shows a failed model's last log lines and exits 1 when a model
 * failed, 0 when all succeeded; a bad file exits 2 before anything is sent, a broker that is not
 * there exits 3.
 */
class DeployCommandIT {

  private record Run(int exitCode, String out, String err) {}

  private static Run deploy(TestStack stack, TugboatNode node, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new DeployCommand(() -> stack.nodeConfig(Map.of()),
        Map.of("TUGBOAT_API_TOKEN", stack.operatorToken)))
        .setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    String[] all = new String[args.length + 4];
    all[0] = "--mqtt-host";
    all[1] = "127.0.0.1";
    all[2] = "--api";
    all[3] = node == null ? "http://127.0.0.1:1" : "http://127.0.0.1:" + node.httpPort();
    System.arraycopy(args, 0, all, 4, args.length);
    int code = cli.execute(all);
    return new Run(code, out.toString(), err.toString());
  }

  private static Path file(TestStack stack, String name, String yaml) throws Exception {
    Path file = stack.dataDir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  private static String models(TestStack stack, String... exitCodes) {
    StringBuilder b = new StringBuilder("models:\n");
    for (int i = 0; i < exitCodes.length; i++) {
      b.append("  - id: m").append(i).append("\n    image: fake_model:latest\n    env:\n")
          .append("      MQTT_HOST: 127.0.0.1\n      MQTT_PORT: ").append(stack.mqttPort).append('\n')
          .append("      EXIT_CODE: ").append(exitCodes[i]).append('\n');
    }
    return b.toString();
  }

  @Test
  void deploysFollowsAndExitsWithTheSimulationsOutcome() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofMillis(500));
         TugboatNode node = stack.startNode(Map.of())) {
      Path failing = file(stack, "failing.yaml",
          "simulationId: by-hand\nsimulatorId: 204-asd\nkeepLogsHours: 1\n" + models(stack, "0", "1"));
      Run run = deploy(stack, node, failing.toString(), "--mqtt-port", Integer.toString(stack.mqttPort),
          "--timeout", "60s");
      assertEquals(1, run.exitCode(), run.toString());
      assertTrue(run.out().contains("deployed simulation by-hand (simulator 204-asd, 2 model(s))"), run.out());
      assertTrue(run.out().contains("ModelHasTerminated       model m1 FAILED, exit code 1"), run.out());
      assertTrue(run.out().contains("ModelHasTerminated       model m0 SUCCESSFULL, exit code 0"), run.out());
      // The failed model's log, read from the node's API: the fake model's own lines.
      assertTrue(run.out().contains("| Model booting..."), run.out());
      assertTrue(run.out().contains("AllModelsHaveTerminated  1 of 2 model(s) succeeded"), run.out());

      // The same file under another simulation id, every model succeeding.
      Path passing = file(stack, "passing.yaml", "simulationId: by-hand\nsimulatorId: 204-asd\n" + models(stack, "0", "0"));
      Run ok = deploy(stack, node, passing.toString(), "--mqtt-port", Integer.toString(stack.mqttPort),
          "--simulation-id", "by-hand-2");
      assertEquals(0, ok.exitCode(), ok.toString());
      assertTrue(ok.out().contains("ModelsReady              all 2 model(s) are running"), ok.out());
      assertTrue(ok.out().contains("AllModelsHaveTerminated  2 of 2 model(s) succeeded"), ok.out());
      assertEquals("", ok.err());
    }
  }

  @Test
  void badInputExits2AndNoBrokerExits3() throws Exception {
    try (TestStack stack = TestStack.start(Duration.ofMillis(500))) {
      Path bad = file(stack, "bad.yaml", "simulationId: a/b\nsimulatorId: so\nmodels: [{id: m0}]\n");
      Run run = deploy(stack, null, bad.toString(), "--mqtt-port", "1");
      assertEquals(2, run.exitCode(), run.toString());
      assertEquals(bad + ": models[0].image is missing\n", run.err());

      Path good = file(stack, "good.yaml", "simulationId: s\nsimulatorId: so\nmodels: [{id: m0, image: busybox}]\n");
      Run noBroker = deploy(stack, null, good.toString(), "--mqtt-port", Integer.toString(TestStack.freePort()));
      assertEquals(3, noBroker.exitCode(), noBroker.toString());
      assertTrue(noBroker.err().startsWith("tugboat deploy: the broker at tcp://127.0.0.1:"), noBroker.err());
      assertTrue(noBroker.err().lines().count() == 1, noBroker.err());
    }
  }
}
