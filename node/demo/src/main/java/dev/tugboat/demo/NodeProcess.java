package dev.tugboat.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Tugboat node as a separate JVM process ({@code Main run}) on loopback, started from a given
 * class path with its configuration as system properties; its output is appended to a log file.
 * Used by {@code bench-cluster}, {@code bench-cold} and by the cluster integration test.
 */
final class NodeProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final int index;
  final int remotePort;
  final int httpPort;
  final Path log;
  private final List<String> command;
  private final Map<String, String> environment;
  private Process process;

  /**
   * @param classPath the class path holding {@code dev.tugboat.node.Main} and its dependencies
   * @param jvmOptions options before the class path, e.g. {@code -Xmx1g}
   * @param properties {@code -Dkey=value} settings; the remote and HTTP ports are added
   */
  NodeProcess(int index, String classPath, List<String> jvmOptions, int remotePort, int httpPort, Path log,
      Map<String, String> properties) {
    this(index, classPath, jvmOptions, remotePort, httpPort, log, properties, Map.of());
  }

  /**
   * As above, with {@code environment} added to this process's environment for the node: the
   * variables an operator sets (the DOTS ones, TUGBOAT_MODE, ...).
   */
  NodeProcess(int index, String classPath, List<String> jvmOptions, int remotePort, int httpPort, Path log,
      Map<String, String> properties, Map<String, String> environment) {
    this.index = index;
    this.environment = Map.copyOf(environment);
    this.remotePort = remotePort;
    this.httpPort = httpPort;
    this.log = log;
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classPath);
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-Dpekko.remote.artery.canonical.port=" + remotePort);
    cmd.add("-Dtugboat.http.port=" + httpPort);
    cmd.add("dev.tugboat.node.Main");
    cmd.add("run");
    this.command = List.copyOf(cmd);
  }

  NodeProcess start() throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    process = builder.start();
    return this;
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** The node's {@code /health/ready}: a cluster member that is Up and subscribed to the broker. */
  boolean isReady() {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** kill -9: no shutdown hook, no graceful leave. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: the node leaves the cluster gracefully and hands its shards over. */
  void terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  String logText() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() throws InterruptedException {
    if (isAlive()) {
      kill();
    }
  }
}
