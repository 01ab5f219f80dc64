package dev.tugboat.http.proxy;

import java.util.Map;
import java.util.Optional;

/**
 * What the proxy needs to know about the long-lived services, and where it tells what it sees.
 * The node implements it from the service entities; the proxy calls {@link #find} on every
 * request, so an implementation answers from memory (a view kept current by the entities), never
 * by asking an entity.
 */
public interface ServiceEndpoints {

  /** The service called {@code name} as the proxy sees it now, or empty when there is none. */
  Optional<ProxiedService> find(String name);

  /**
   * Requests in flight on this node per replica of service {@code name} (by replica id), reported
   * about once a second while the service has traffic and once more when it falls to none. The
   * entity scales on the sum over nodes. Never blocks.
   */
  void reportLoad(String name, Map<String, Integer> inFlightByReplica);
}
