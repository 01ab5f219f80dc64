package dev.tugboat.persistence;

import dev.tugboat.protocol.hosted.HostedEndpoint;

/**
 * Where a hosted service tells every node's proxy what it serves now (its ready replicas by pod
 * IP); the node implements it (Distributed Data). Never blocks; the latest publish wins.
 */
public interface HostedPublisher {

  /** The service as the proxy needs it now. */
  void publish(HostedEndpoint endpoint);

  /** The service is gone: the proxy answers 404 for it. */
  void remove(String name);
}
