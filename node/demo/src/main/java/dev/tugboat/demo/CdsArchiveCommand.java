package dev.tugboat.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tugboat cds-archive}: the training run for a class data sharing archive of a node jar.
 * Starts that jar's node as {@code bench-cold} does (a separate JVM set up by the DOTS variables,
 * against the embedded broker and the simulated Kubernetes over https) with
 * {@code -XX:ArchiveClassesAtExit}, runs one small simulation through it and stops it with
 * SIGTERM: at its exit the JVM writes every class it loaded on the way (start, warm-up, deploy,
 * watch, terminate, notify) into the archive. A node started with
 * {@code -XX:SharedArchiveFile=<archive>} on the same jar and the same JVM maps those classes
 * instead of loading them (docs/operations.md, "Class data sharing"). Exits 1 when the run did not
 * end in time or no archive was written.
 */
@Command(name = "cds-archive", mixinStandardHelpOptions = true,
    description = "Write a class data sharing archive for a node jar from a training run: the node started on it, "
        + "one small simulation, stopped.")
final class CdsArchiveCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--node-class-path", required = true,
      description = "The node's jar the archive is for, by the path it runs from, e.g. /app/tugboat.jar.")
  String nodeClassPath;

  @Option(names = "--archive", required = true, description = "The archive to write, e.g. /app/tugboat.jsa.")
  Path archive;

  @Option(names = "--node-jvm-options", description = "Further JVM options of the node (default: ${DEFAULT-VALUE}).")
  String nodeJvmOptions = "-Xmx1g -Xlog:cds=error";

  @Option(names = "--models", description = "Fake models of the training simulation (default: ${DEFAULT-VALUE}).")
  int models = 20;

  @Option(names = "--data-dir", description = "Data directory of the run, emptied first (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of("data", "cds-archive");

  @Option(names = "--timeout-seconds", description = "Give up (exit 1) after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 300;

  @Override
  public Integer call() throws Exception {
    if (models < 1 || timeoutSeconds < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--models and --timeout-seconds must be at least 1");
    }
    Path target = archive.toAbsolutePath();
    Files.deleteIfExists(target);
    if (target.getParent() != null) {
      Files.createDirectories(target.getParent());
    }
    ColdBenchCommand run = new ColdBenchCommand();
    run.models = models;
    run.runSeconds = 1;
    run.nodeClassPath = nodeClassPath;
    run.nodeJvmOptions = nodeJvmOptions + " -XX:ArchiveClassesAtExit=" + target;
    run.dataDir = dataDir;
    run.timeoutSeconds = timeoutSeconds;
    int code = run.run(List.of("training"), false);
    if (code != 0) {
      return code;
    }
    if (!Files.isRegularFile(target) || Files.size(target) == 0) {
      System.out.println("cds-archive: the node wrote no archive " + target + "; see " + dataDir.resolve("node.log"));
      return 1;
    }
    System.out.println("cds-archive: wrote " + target + " (" + Files.size(target) / (1024 * 1024) + " MiB) for "
        + nodeClassPath);
    return 0;
  }
}
