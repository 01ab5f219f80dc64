package dev.tugboat.demo;

import picocli.CommandLine.Option;

/** The ports of an embedded run ({@code demo}, {@code bench}): the embedded broker's and HTTP's. */
final class EmbeddedPorts {
  @Option(names = "--mqtt-port", description = "Port of the embedded broker (default: ${DEFAULT-VALUE}).")
  int mqtt = 1883;

  @Option(names = "--http-port", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int http = 8080;
}
