package dev.tugboat.demo;

import com.typesafe.config.Config;
import dev.tugboat.node.CommandHelp;
import dev.tugboat.node.Main;
import dev.tugboat.node.NodeStarter;
import dev.tugboat.node.TugboatNode;
import java.util.Map;
import picocli.CommandLine;

/**
 * The command line of tugboat-demo.jar: the production commands, {@code run --embedded} for the
 * embedded mode ({@link EmbeddedMode}), {@code run} with the simulated Kubernetes allowed, and
 * {@code demo} and the benchmarks ({@code bench}, {@code bench-cluster}, {@code bench-cold},
 * {@code bench-flood}, {@code bench-http}, {@code bench-events}, {@code bench-proxy}, {@code bench-scale}).
 */
public final class DemoMain {
  private DemoMain() {}

  public static void main(String[] args) {
    Main.execute(commandLine(System.getenv()), args);
  }

  /** Every command of tugboat-demo.jar, {@code run} reading its variables from {@code environment}. */
  static CommandLine commandLine(Map<String, String> environment) {
    EmbeddedOption option = new EmbeddedOption();
    CommandLine commandLine = Main.commandLine(new DemoStarter(option), environment);
    commandLine.getSubcommands().get("run").addMixin("embedded", option);
    commandLine
        .addSubcommand(new DemoCommand())
        .addSubcommand(new BenchCommand())
        .addSubcommand(new ClusterBenchCommand())
        .addSubcommand(new ColdBenchCommand())
        .addSubcommand(new CdsArchiveCommand())
        .addSubcommand(new FloodBenchCommand())
        .addSubcommand(new BenchHttpCommand())
        .addSubcommand(new EventsBenchCommand())
        .addSubcommand(new ProxyBenchCommand())
        .addSubcommand(new ScaleBenchCommand());
    return CommandHelp.apply(commandLine);
  }

  /** {@code run}'s starter: the embedded mode when asked for, else production (the simulated Kubernetes allowed). */
  private record DemoStarter(EmbeddedOption option) implements NodeStarter {
    @Override
    public TugboatNode start(Config overrides) throws Exception {
      return EmbeddedMode.startNode(overrides);
    }

    @Override
    public boolean embedded() {
      return option.embedded;
    }

    @Override
    public boolean carriesSimulatedKubernetes() {
      return true;
    }
  }
}
