package dev.tugboat.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * tugboat-demo.jar's command line: {@code run --embedded} is the embedded mode and TUGBOAT_MODE
 * may not contradict it; {@code demo --help} explains the demo in plain words.
 */
class DemoMainTest {

  private static String[] execute(Map<String, String> env, String... args) {
    CommandLine cl = DemoMain.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void runsHelpOffersTheEmbeddedModeAndThePortOptions() {
    String help = execute(Map.of(), "run", "--help")[1];
    assertTrue(help.contains("--embedded"), help);
    assertTrue(help.contains("--mqtt-port=PORT"), help);
    assertTrue(help.contains("MQTT_PORT"), help);
  }

  @Test
  void runEmbeddedRefusesTugboatModeProduction() {
    String[] r = execute(Map.of("TUGBOAT_MODE", "production"), "run", "--embedded");
    assertEquals("2", r[0], r[2]);
    assertTrue(r[2].startsWith("tugboat: TUGBOAT_MODE is 'production', but run --embedded runs the embedded mode"),
        r[2]);
  }

  @Test
  void demosHelpSaysWhatItDoesAndWhichModelsFailOnPurpose() {
    String help = execute(Map.of(), "demo", "--help")[1];
    assertTrue(help.contains("Models 1 and 2 fail on purpose"), help);
    assertTrue(help.contains("--keep-running"), help);
    assertTrue(help.contains("SO  -> "), help);
  }
}
