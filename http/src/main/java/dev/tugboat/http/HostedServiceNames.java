package dev.tugboat.http;

import java.util.List;

/**
 * The names of the hosted services that exist, for GET /api/v1/services; the node answers from
 * memory (the view every hosted service publishes to all nodes), never by asking entities.
 */
public interface HostedServiceNames {

  /** Every hosted service's name, sorted. */
  List<String> names();
}
