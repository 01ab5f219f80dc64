package dev.tugboat.node;

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
 * One Tugboat node as a separate JVM process ({@code Main run}) on loopback, started from the
 * test class path with its configuration as system properties; its output goes to a log file.
 */
final class NodeProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final int index;
  final int remotePort;
  final int httpPort;
  final Path log;
  private final List<String> command;
  private Process process;

  NodeProcess(int index, int remotePort, int httpPort, Path log, Map<String, String> properties) {
    this.index = index;
    this.remotePort = remotePort;
    this.httpPort = httpPort;
    this.log = log;
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", classPath));
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-Dpekko.remote.artery.canonical.port=" + remotePort);
    cmd.add("-Dtugboat.http.port=" + httpPort);
    cmd.add("dev.tugboat.node.Main");
    cmd.add("run");
    this.command = List.copyOf(cmd);
  }

  NodeProcess start() throws IOException {
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    return this;
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

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
