package dev.tugboat.node;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tugboat} command line: {@code run}, {@code demo}, {@code bench}, {@code bench-cluster} and {@code bench-flood}. */
@Command(
    name = "tugboat",
    mixinStandardHelpOptions = true,
    version = "tugboat 0.1.0",
    description = "Deploys, watches and retires the model services of DOTS simulations on Kubernetes.",
    subcommands = {RunCommand.class, DemoCommand.class, BenchCommand.class, ClusterBenchCommand.class,
        FloodBenchCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // On a 2-core machine the common pool's parallelism is 1, and then every CompletableFuture
    // *Async step without an executor (in libraries too) starts a new thread. Must be set before
    // anything touches the common pool.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
          Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
    int code = new CommandLine(new Main()).execute(args);
    System.exit(code);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
