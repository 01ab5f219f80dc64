package dev.tugboat.protocol.kubernetes;

import dev.tugboat.protocol.CborSerializable;

/** Outcome of looking a pod up in the gateway's informer cache. */
public sealed interface PodLookupResult extends CborSerializable {

  record Present(PodSnapshot pod) implements PodLookupResult {}

  /** The synced cache has no such pod. */
  record Absent(String podName) implements PodLookupResult {}

  /** The cache is not synced (watch down or starting): nothing can be said. */
  record Unknown(String podName, String reason) implements PodLookupResult {}
}
