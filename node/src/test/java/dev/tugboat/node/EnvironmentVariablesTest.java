package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigResolver;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link EnvironmentVariables} is the one list of the variables Tugboat reads: exactly the
 * {@code ${?VAR}} of every module's configuration (and the levels logback.xml reads), each one
 * setting the key it names, each with one row in the README's table; the variables no longer
 * read name an existing key; and a node reports every Tugboat-like variable it does not read.
 */
class EnvironmentVariablesTest {

  private static final Path ROOT = Path.of("..");
  private static final List<String> MODULES = List.of("protocol", "persistence", "k8s", "mqtt-bridge", "http", "node");
  private static final Pattern HOCON_VARIABLE = Pattern.compile("\\$\\{\\?([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern LOGBACK_VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*):-");

  private static Set<String> matches(Pattern pattern, Stream<Path> files) {
    Set<String> names = new TreeSet<>();
    files.forEach(file -> {
      try {
        Matcher m = pattern.matcher(Files.readString(file));
        while (m.find()) {
          names.add(m.group(1));
        }
      } catch (IOException e) {
        throw new IllegalStateException(file.toString(), e);
      }
    });
    return names;
  }

  private static Stream<Path> configurationFiles() {
    List<Path> files = new ArrayList<>();
    for (String module : MODULES) {
      try (Stream<Path> listed = Files.list(ROOT.resolve(module).resolve("src/main/resources"))) {
        listed.filter(p -> p.getFileName().toString().endsWith(".conf")).forEach(files::add);
      } catch (IOException e) {
        throw new IllegalStateException(module, e);
      }
    }
    assertTrue(files.size() >= 7, "found " + files);
    return files.stream();
  }

  private static Set<String> supported(boolean logback) {
    return EnvironmentVariables.SUPPORTED.entrySet().stream()
        .filter(e -> e.getValue().startsWith(EnvironmentVariables.LOGBACK) == logback)
        .map(Map.Entry::getKey)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void theConfigurationReadsExactlyTheSupportedVariables() {
    assertEquals(supported(false), matches(HOCON_VARIABLE, configurationFiles()));
  }

  @Test
  void logbackReadsExactlyTheSupportedLevelVariables() {
    assertEquals(supported(true),
        matches(LOGBACK_VARIABLE, Stream.of(ROOT.resolve("node/src/main/resources/logback.xml"))));
  }

  /** application.conf over every reference.conf, resolved against {@code env} instead of the process's. */
  private static Config configUnder(Map<String, String> env) {
    ConfigResolver fromEnv = new ConfigResolver() {
      @Override
      public ConfigValue lookup(String path) {
        String value = env.get(path);
        return value == null ? null : ConfigValueFactory.fromAnyRef(value, "environment " + path);
      }

      @Override
      public ConfigResolver withFallback(ConfigResolver fallback) {
        return this;
      }
    };
    return ConfigFactory.parseResources("application.conf")
        .withFallback(ConfigFactory.parseResources("reference.conf"))
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false).appendResolver(fromEnv));
  }

  static Stream<Arguments> hoconVariables() {
    return EnvironmentVariables.SUPPORTED.entrySet().stream()
        .filter(e -> !e.getValue().startsWith(EnvironmentVariables.LOGBACK))
        .map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0} sets {1}")
  @MethodSource("hoconVariables")
  void eachVariableSetsTheSettingItIsListedWith(String name, String key) {
    assertEquals("probe-" + name, configUnder(Map.of(name, "probe-" + name)).getString(key));
  }

  @Test
  void eachRemovedVariableNamesAnExistingKeyAndIsNotSupported() {
    // A key of tugboat-demo.jar's embedded mode counts too (node/demo, not on this classpath).
    Config config = configUnder(Map.of()).withFallback(
        ConfigFactory.parseFile(ROOT.resolve("node/demo/src/main/resources/reference.conf").toFile()));
    assertAll(EnvironmentVariables.REMOVED.entrySet().stream().map(e -> () -> {
      assertTrue(config.hasPathOrNull(e.getValue()), e.getKey() + ": no setting " + e.getValue());
      assertTrue(!EnvironmentVariables.SUPPORTED.containsKey(e.getKey()), e.getKey() + " is listed as both");
    }));
  }

  /** The first cell of each row of the README's Configuration table, by row. */
  private static List<Set<String>> readmeRows() throws IOException {
    List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
    int start = lines.indexOf("## Configuration");
    assertTrue(start >= 0, "README has no Configuration section");
    Pattern name = Pattern.compile("`([A-Z][A-Z0-9_]+)`");
    List<Set<String>> rows = new ArrayList<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (line.startsWith("| `")) {
        String firstCell = line.substring(1, line.indexOf('|', 1));
        Set<String> names = new TreeSet<>();
        Matcher m = name.matcher(firstCell);
        while (m.find()) {
          names.add(m.group(1));
        }
        rows.add(names);
      }
    }
    return rows;
  }

  @Test
  void everySupportedVariableHasExactlyOneReadmeRowAndNoRowNamesAnotherVariable() throws IOException {
    Map<String, Integer> rowsPerName = new TreeMap<>();
    for (Set<String> row : readmeRows()) {
      row.forEach(n -> rowsPerName.merge(n, 1, Integer::sum));
    }
    Map<String, Integer> expected = new TreeMap<>();
    EnvironmentVariables.SUPPORTED.keySet().forEach(n -> expected.put(n, 1));
    assertEquals(expected, rowsPerName);
  }

  @Test
  void aVariableTugboatDoesNotReadIsReportedByNameWithTheKeyToSetInstead() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", "/usr/bin");
    env.put("HOSTNAME", "node-1");
    env.put("TUGBOAT_MODE", "production");
    env.put("MQTT_HOST", "broker");
    env.put("KUBERNETES_SERVICE_HOST", "10.0.0.1");
    env.put("TUGBOAT_CREATE_WINDOW", "100");
    env.put("TUGBOAT_NOTIFICATION_TAGS", "8");
    env.put("KUBERNETES_IMAGE_PULL_POLICY", "IfNotPresent");
    env.put("TUGBOAT_DB_PASWORD", "s3cret");
    List<String> lines = EnvironmentVariables.unread(env);
    assertEquals(List.of(
        "environment variable KUBERNETES_IMAGE_PULL_POLICY is not read any more and is ignored: set"
            + " tugboat.kubernetes.image-pull-policy with -Dtugboat.kubernetes.image-pull-policy=<value>"
            + " (docs/operations.md, \"Settings\")",
        "environment variable TUGBOAT_CREATE_WINDOW is not read any more and is ignored: set"
            + " tugboat.entities.create-window with -Dtugboat.entities.create-window=<value>"
            + " (docs/operations.md, \"Settings\")",
        "environment variable TUGBOAT_DB_PASWORD is not a Tugboat setting and is ignored: the variables"
            + " Tugboat reads are in the README's Configuration table; other settings are HOCON keys, set"
            + " with -Dkey=value",
        "environment variable TUGBOAT_NOTIFICATION_TAGS is not read any more and is ignored: set"
            + " tugboat.notifications.tag-count with -Dtugboat.notifications.tag-count=<value>"
            + " (docs/operations.md, \"Settings\")"), lines);
    assertTrue(lines.stream().noneMatch(l -> l.contains("s3cret") || l.contains("100")), "never a value");
  }

  @Test
  void anEnvironmentOfSupportedVariablesOnlyIsQuiet() {
    Map<String, String> env = new HashMap<>();
    EnvironmentVariables.SUPPORTED.keySet().forEach(n -> env.put(n, "x"));
    assertEquals(List.of(), EnvironmentVariables.unread(env));
  }
}
