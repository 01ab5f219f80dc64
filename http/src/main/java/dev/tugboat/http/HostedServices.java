package dev.tugboat.http;

import dev.tugboat.http.proxy.ReplicaTransport;
import dev.tugboat.http.proxy.ServiceEndpoints;
import dev.tugboat.http.proxy.ServiceUrls;
import java.util.Objects;

/**
 * What the frontend needs to serve the hosted services: their names for the list, their
 * endpoints for the proxy, and where their ports are reached. The node answers both from the
 * view every hosted service publishes to all nodes (docs/architecture.md, "Hosted services"); the
 * proxy reaches their replicas as {@code transport} says.
 */
public record HostedServices(HostedServiceNames names, ServiceEndpoints endpoints, ServiceUrls urls,
    ReplicaTransport transport) {

  public HostedServices {
    Objects.requireNonNull(names, "names");
    Objects.requireNonNull(endpoints, "endpoints");
    Objects.requireNonNull(urls, "urls");
    Objects.requireNonNull(transport, "transport");
  }

  /** Replicas reached over the pod network. */
  public HostedServices(HostedServiceNames names, ServiceEndpoints endpoints, ServiceUrls urls) {
    this(names, endpoints, urls, ReplicaTransport.podNetwork());
  }
}
