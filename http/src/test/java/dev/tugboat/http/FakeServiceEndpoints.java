package dev.tugboat.http;

import dev.tugboat.http.proxy.ProxiedService;
import dev.tugboat.http.proxy.ServiceEndpoints;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Services a test sets up, and the load reports the proxy made, in order. */
final class FakeServiceEndpoints implements ServiceEndpoints {
  /** One call of {@link #reportLoad}. */
  record Report(String name, Map<String, Integer> inFlight) {}

  final Map<String, ProxiedService> services = new ConcurrentHashMap<>();
  final List<Report> reports = new CopyOnWriteArrayList<>();

  void put(ProxiedService service) {
    services.put(service.name(), service);
  }

  @Override
  public Optional<ProxiedService> find(String name) {
    return Optional.ofNullable(services.get(name));
  }

  @Override
  public void reportLoad(String name, Map<String, Integer> inFlightByReplica) {
    reports.add(new Report(name, Map.copyOf(inFlightByReplica)));
  }

  /** The last report for {@code name}, if any. */
  Optional<Report> lastReport(String name) {
    for (int i = reports.size() - 1; i >= 0; i--) {
      if (reports.get(i).name().equals(name)) {
        return Optional.of(reports.get(i));
      }
    }
    return Optional.empty();
  }
}
