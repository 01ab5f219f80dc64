package dev.tugboat.persistence;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The latest load report of each node's proxy for one hosted service: requests in flight per
 * replica (pod name) and when it came. The service's load is the sum over the nodes whose report
 * is not older than the stale limit, counting only its current pods.
 */
record LoadBoard(Map<String, Report> byNode) {

  static final LoadBoard EMPTY = new LoadBoard(Map.of());

  LoadBoard {
    byNode = Map.copyOf(byNode);
  }

  /** One node's report. */
  record Report(Map<String, Integer> inFlightByReplica, Instant at) {
    Report {
      inFlightByReplica = Map.copyOf(inFlightByReplica);
    }
  }

  /** With {@code node}'s latest report. */
  LoadBoard reported(String node, Map<String, Integer> inFlightByReplica, Instant at) {
    Map<String, Report> m = new HashMap<>(byNode);
    m.put(node, new Report(inFlightByReplica, at));
    return new LoadBoard(m);
  }

  /** Requests in flight on {@code pods} now, over the nodes whose report is fresh. */
  int total(Instant now, Duration staleAfter, Set<String> pods) {
    int sum = 0;
    for (Report r : byNode.values()) {
      if (now.isAfter(r.at().plus(staleAfter))) {
        continue;
      }
      for (var e : r.inFlightByReplica().entrySet()) {
        if (pods.contains(e.getKey()) && e.getValue() != null && e.getValue() > 0) {
          sum += e.getValue();
        }
      }
    }
    return sum;
  }
}
