package dev.tugboat.protocol.hosted;

/**
 * The pod name of replica {@code slot} of a hosted service in its {@code generation}: a
 * replacement (after a failure or a restart) is a new generation, so a name is never used twice
 * and a create retried after a failover finds its own pod (409 counts as created).
 */
public final class HostedPodNames {
  /** Every hosted service's pod name starts so (DOTS pod names never do: they start with the simulator id). */
  public static final String PREFIX = "hs-";

  private HostedPodNames() {}

  /** {@code hs-{name}-{slot}-g{generation}}: at most 63 characters for a name of at most 40. */
  public static String podName(String service, int slot, long generation) {
    return PREFIX + service + "-" + slot + "-g" + generation;
  }
}
