package dev.tugboat.protocol.hosted;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.EnvVar;
import java.time.Duration;
import java.util.List;

/**
 * What a hosted service runs: its name (a DNS label, the entity id, unique), the image, its
 * environment and command, the container's resources, the ports it publishes (in declaration
 * order: the first is the one its short URL opens), how many replicas, how long without requests
 * before it scales back to {@code replicas.min}, and its owner (a principal name). Checked by
 * {@link HostedSpecCheck}.
 */
public record HostedSpec(
    String name,
    String image,
    List<EnvVar> env,
    List<String> command,
    Resources resources,
    List<PublishedPort> publishedPorts,
    Replicas replicas,
    Duration idleTimeout,
    String owner) implements CborSerializable {

  public HostedSpec {
    env = env == null ? List.of() : List.copyOf(env);
    command = command == null ? List.of() : List.copyOf(command);
    resources = resources == null ? Resources.NONE : resources;
    publishedPorts = publishedPorts == null ? List.of() : List.copyOf(publishedPorts);
  }

  /** The same spec with another environment. */
  public HostedSpec withEnv(List<EnvVar> newEnv) {
    return new HostedSpec(name, image, newEnv, command, resources, publishedPorts, replicas, idleTimeout, owner);
  }

  /** The same spec with another owner. */
  public HostedSpec withOwner(String newOwner) {
    return new HostedSpec(name, image, env, command, resources, publishedPorts, replicas, idleTimeout, newOwner);
  }
}
