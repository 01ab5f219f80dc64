package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The production jar's start: what only tugboat-demo.jar carries (the embedded mode, the
 * simulated Kubernetes) is refused with one line naming the setting and tugboat-demo.jar, before
 * anything starts; {@code run} prints that line and exits 2.
 */
class ProductionStartTest {

  private static Config config(String mode, String kubernetesMode) throws Exception {
    Path dir = Files.createTempDirectory("tugboat-production-start");
    return TugboatNode.loadConfig(ConfigFactory.parseMap(Map.of(
        "tugboat.mode", mode,
        "tugboat.kubernetes.mode", kubernetesMode,
        "tugboat.data-dir", dir.toString(),
        "pekko.remote.artery.canonical.port", 0)));
  }

  @ParameterizedTest(name = "mode {0}, kubernetes {1}")
  @CsvSource({
      "embedded,   dots-env,  tugboat.mode (TUGBOAT_MODE) is embedded",
      "embedded,   simulated, tugboat.mode (TUGBOAT_MODE) is embedded",
      "production, simulated, tugboat.kubernetes.mode (KUBERNETES_MODE) is simulated"})
  void whatOnlyTheDemoJarCarriesIsRefused(String mode, String kubernetesMode, String setting) throws Exception {
    Config config = config(mode, kubernetesMode);
    StartRefused refused = assertThrows(StartRefused.class, () -> TugboatNode.start(config));
    assertTrue(refused.getMessage().startsWith(setting), refused.getMessage());
    assertTrue(refused.getMessage().contains("tugboat-demo.jar"), refused.getMessage());
    assertFalse(refused.getMessage().contains("\n"), "one line: " + refused.getMessage());
  }

  @Test
  void runPrintsTheRefusalInOneLineAndExits2() throws Exception {
    Path key = Files.createTempFile("tugboat-production-start", ".key");
    Map<String, String> env = Map.of("KUBERNETES_API_TOKEN", "abc", "TUGBOAT_SECRET_KEY_FILE", key.toString());
    picocli.CommandLine commandLine = Main.commandLine(overrides -> {
      throw new StartRefused("tugboat.mode (TUGBOAT_MODE) is embedded, which this jar does not carry");
    }, env);
    StringWriter printed = new StringWriter();
    commandLine.setErr(new PrintWriter(printed, true));
    commandLine.setOut(new PrintWriter(new StringWriter(), true));
    assertEquals(2, commandLine.execute("run"));
    assertEquals("tugboat: tugboat.mode (TUGBOAT_MODE) is embedded, which this jar does not carry\n",
        printed.toString().replace("\r\n", "\n"));
  }

  @Test
  void theProductionCommandLineHasNoDemoOrBenchmark() {
    Map<String, picocli.CommandLine> commands = Main.commandLine(NodeStarter.PRODUCTION).getSubcommands();
    assertTrue(commands.containsKey("run"), commands.keySet().toString());
    for (String absent : new String[] {"demo", "bench", "bench-cluster", "bench-flood", "bench-events"}) {
      assertFalse(commands.containsKey(absent), absent + " is in tugboat-demo.jar only");
    }
  }
}
