package dev.tugboat.demo;

import dev.tugboat.node.Main;
import picocli.CommandLine;

/**
 * The command line of tugboat-demo.jar: the production commands, {@code run} also in the embedded
 * mode and on the simulated Kubernetes ({@link EmbeddedMode}), and {@code demo}, {@code bench},
 * {@code bench-cluster} and {@code bench-flood}.
 */
public final class DemoMain {
  private DemoMain() {}

  public static void main(String[] args) {
    CommandLine commandLine = Main.commandLine(EmbeddedMode::startNode)
        .addSubcommand(new DemoCommand())
        .addSubcommand(new BenchCommand())
        .addSubcommand(new ClusterBenchCommand())
        .addSubcommand(new FloodBenchCommand());
    Main.execute(commandLine, args);
  }
}
