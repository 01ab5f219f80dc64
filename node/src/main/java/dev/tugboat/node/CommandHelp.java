package dev.tugboat.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every command's help ends with: for {@code run} the environment variables and the config
 * keys they set, for every command where the documentation is; and every command's {@code -V}
 * prints {@link TugboatVersion}.
 */
public final class CommandHelp {
  static final String DOCS =
      "Documentation: README.md (first steps, configuration) and docs/operations.md (running a node, every setting).";

  /** Wide enough for a variable, its key and the documentation line on one line each. */
  static final int WIDTH = 120;

  private CommandHelp() {}

  /** Gives {@code commandLine} and all its subcommands the version and the documentation footer. */
  public static CommandLine apply(CommandLine commandLine) {
    CommandSpec spec = commandLine.getCommandSpec();
    spec.versionProvider(new TugboatVersion());
    spec.usageMessage().width(WIDTH);
    List<String> footer = new ArrayList<>(List.of(spec.usageMessage().footer()));
    if (spec.name().equals("run") && footer.isEmpty()) {
      footer.addAll(runFooter());
    }
    if (!footer.contains(DOCS)) {
      footer.add("");
      footer.add(DOCS);
    }
    spec.usageMessage().footer(footer.toArray(String[]::new));
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      apply(sub);
    }
    return commandLine;
  }

  /** The variables {@code run} reads, each with the key it sets. */
  static List<String> runFooter() {
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.add("Environment variables, each setting the config key beside it (--http-port and --mqtt-port override"
        + " their variables; -Dkey=value overrides both):");
    int width = EnvironmentVariables.SUPPORTED.keySet().stream().mapToInt(String::length).max().orElse(0);
    for (Map.Entry<String, String> v : EnvironmentVariables.SUPPORTED.entrySet()) {
      lines.add("  " + v.getKey() + " ".repeat(width - v.getKey().length() + 2) + v.getValue());
    }
    lines.add("Every other setting is a config key (HOCON), set with -Dkey=value: docs/operations.md, \"Settings\".");
    lines.add("The production jar's run is always the production mode; the embedded broker and the simulated"
        + " Kubernetes are tugboat-demo.jar's `run --embedded`.");
    return lines;
  }
}
