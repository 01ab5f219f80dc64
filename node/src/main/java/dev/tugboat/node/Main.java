package dev.tugboat.node;

import dev.tugboat.node.deploy.DeployCommand;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tugboat} command line of the production jar: {@code run}, {@code token} and {@code deploy}. tugboat-demo's builds on
 * {@link #commandLine(NodeStarter)} and adds the demo and benchmark commands.
 */
@Command(
    name = "tugboat",
    mixinStandardHelpOptions = true,
    versionProvider = TugboatVersion.class,
    description = "Deploys, watches and retires the model services of DOTS simulations on Kubernetes.",
    subcommands = {RunCommand.class, TokenCommand.class, DeployCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    execute(commandLine(NodeStarter.PRODUCTION), args);
  }

  /** The production commands, {@code run} starting its node with {@code starter}. */
  public static CommandLine commandLine(NodeStarter starter) {
    return commandLine(starter, System.getenv());
  }

  /** The production commands, {@code run} reading its variables from {@code environment}. */
  public static CommandLine commandLine(NodeStarter starter, Map<String, String> environment) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    return CommandHelp.apply(new CommandLine(new Main(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        return type == RunCommand.class ? type.cast(new RunCommand(starter, environment)) : defaults.create(type);
      }
    }));
  }

  /** Runs the command the arguments name and exits the JVM with its code. */
  public static void execute(CommandLine commandLine, String[] args) {
    // On a 2-core machine the common pool's parallelism is 1, and then every CompletableFuture
    // *Async step without an executor (in libraries too) starts a new thread. Must be set before
    // anything touches the common pool.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
          Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
    LibraryPrints.filterStandardOutput();
    System.exit(CommandHelp.apply(commandLine).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
