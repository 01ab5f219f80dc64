package dev.tugboat.persistence;

import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.SealedValueException;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.HostedView;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * The secret environment values of one hosted service: sealed before its spec is journaled,
 * compared through the seal when the same name is created again (Duplicate for the same values,
 * Conflict for others or when the journaled ones cannot be opened on this node), and never shown
 * by its view. Stateless beside its {@link Sealer}.
 */
final class HostedSecrets {
  private final String name;
  private final Sealer sealer;
  private final Logger log;

  HostedSecrets(String name, Sealer sealer, Logger log) {
    this.name = name;
    this.sealer = Objects.requireNonNull(sealer, "sealer");
    this.log = log;
  }

  /** {@code spec} with its secret values sealed, as it is journaled. */
  HostedSpec sealed(HostedSpec spec) {
    return sealer.seal(spec);
  }

  /** The answer to a create of this existing service with {@code asked}, {@code journaled} being its spec. */
  CommandReply createdAgain(HostedSpec journaled, HostedSpec asked) {
    boolean same;
    try {
      same = sealer.sameAs(journaled, asked);
    } catch (SealedValueException e) {
      log.warn("hosted service {}: cannot compare a create with the journaled spec: {}", name, e.getMessage());
      return new CommandReply.Conflict("hosted service " + name + " exists; its spec cannot be compared: "
          + e.getMessage());
    }
    return same
        ? new CommandReply.Duplicate("hosted service " + name + " exists with this spec")
        : new CommandReply.Conflict("hosted service " + name + " exists with another spec");
  }

  /** The view with no secret value in it (a sealed one and a secret-named plain one shown as such). */
  HostedView shown(HostedView v) {
    return new HostedView(v.spec().withEnv(sealer.shown(v.spec().env())), v.phase(), v.status(), v.desiredReplicas(),
        v.replicas(), v.createdAt(), v.updatedAt());
  }
}
