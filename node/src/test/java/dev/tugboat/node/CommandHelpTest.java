package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Every command's help lists its options and where the documentation is; {@code run}'s lists
 * every variable it reads with its config key; {@code -V} prints the Maven project version.
 */
class CommandHelpTest {

  private static String printed(String... args) {
    CommandLine cl = Main.commandLine(NodeStarter.PRODUCTION, Map.of());
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute(args));
    return out.toString();
  }

  /** The project version of the pom this module builds with (the parent's). */
  private static String pomVersion() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher parent = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
    assertTrue(parent.find(), "node/pom.xml has a parent version");
    return parent.group(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-V", "--version", "run -V", "token --version"})
  void everyCommandPrintsTheProjectVersion(String args) throws IOException {
    assertEquals("tugboat " + pomVersion() + "\n", printed(args.split(" ")).replace("\r\n", "\n"));
  }

  @Test
  void runsHelpListsItsPortOptionsEveryVariableWithItsKeyAndTheDocs() {
    String help = printed("run", "--help");
    assertTrue(help.contains("--http-port=PORT"), help);
    assertTrue(help.contains("--mqtt-port=PORT"), help);
    assertTrue(help.contains("overrides TUGBOAT_HTTP_PORT"), help);
    for (Map.Entry<String, String> v : EnvironmentVariables.SUPPORTED.entrySet()) {
      assertTrue(Pattern.compile("(?m)^  " + v.getKey() + " +" + Pattern.quote(v.getValue()) + "$").matcher(help).find(),
          v.getKey() + " with " + v.getValue() + " in:\n" + help);
    }
    assertTrue(help.contains("README.md") && help.contains("docs/operations.md"), help);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "token --help"})
  void everyCommandsHelpSaysWhereTheDocsAre(String args) {
    String help = printed(args.split(" "));
    assertTrue(help.contains(CommandHelp.DOCS), help);
  }
}
