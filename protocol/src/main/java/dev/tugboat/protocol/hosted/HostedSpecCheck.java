package dev.tugboat.protocol.hosted;

import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.EnvVarNames;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ImageReference;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules a {@link HostedSpec} must meet, each broken one a sentence for the 400 answer. The
 * name is a DNS label of at most {@value #MAX_NAME} characters without "--" (the path form of a
 * URL puts "--{port}" after it) and not a first path segment the node serves itself.
 */
public final class HostedSpecCheck {
  public static final int MAX_NAME = 40;
  /** First path segments of the node's own routes and the dashboard: never a service's name. */
  public static final Set<String> RESERVED_NAMES = Set.of("api", "health", "metrics", "session", "dashboard",
      "events", "openapi", "login", "logout", "static", "favicon", "services", "simulations");
  static final int MAX_COMMAND_ARGS = 256;
  static final int MAX_ENV = 1000;
  static final int MAX_PORTS = 20;
  static final int MAX_LABEL = 100;
  static final int MAX_INITIAL_PATH = 2000;

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z]([a-z0-9-]*[a-z0-9])?");
  private static final Pattern QUANTITY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");
  private static final Map<String, BigDecimal> UNITS = Map.ofEntries(
      Map.entry("", BigDecimal.ONE), Map.entry("m", new BigDecimal("0.001")),
      Map.entry("k", BigDecimal.TEN.pow(3)), Map.entry("M", BigDecimal.TEN.pow(6)),
      Map.entry("G", BigDecimal.TEN.pow(9)), Map.entry("T", BigDecimal.TEN.pow(12)),
      Map.entry("P", BigDecimal.TEN.pow(15)), Map.entry("E", BigDecimal.TEN.pow(18)),
      Map.entry("Ki", BigDecimal.valueOf(2).pow(10)), Map.entry("Mi", BigDecimal.valueOf(2).pow(20)),
      Map.entry("Gi", BigDecimal.valueOf(2).pow(30)), Map.entry("Ti", BigDecimal.valueOf(2).pow(40)),
      Map.entry("Pi", BigDecimal.valueOf(2).pow(50)), Map.entry("Ei", BigDecimal.valueOf(2).pow(60)));

  private HostedSpecCheck() {}

  /** The reason {@code name} cannot name a hosted service, or empty when it can. */
  public static Optional<String> nameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("has no name");
    }
    if (name.length() > MAX_NAME) {
      return Optional.of("has a name longer than " + MAX_NAME + " characters");
    }
    if (!DNS_LABEL.matcher(name).matches()) {
      return Optional.of("has a name that is not a DNS label (a lower-case letter, then lower-case letters, digits "
          + "and '-', not ending in '-'): '" + Ids.printable(name, 60) + "'");
    }
    if (name.contains("--")) {
      return Optional.of("has a name with \"--\" in it ('" + name + "'): it separates a name from a port in URLs");
    }
    if (RESERVED_NAMES.contains(name)) {
      return Optional.of("has the name '" + name + "', which is a path of Tugboat's own");
    }
    return Optional.empty();
  }

  /** Every broken rule of {@code spec}, empty when it is valid; {@code maxReplicas} is the configured cap. */
  public static List<String> problems(HostedSpec spec, int maxReplicas) {
    List<String> p = new ArrayList<>();
    nameProblem(spec.name()).ifPresent(p::add);
    ImageReference.problem(spec.image()).map(s -> s.replace("imageUrl", "image")).ifPresent(p::add);
    env(spec.env(), p);
    if (spec.command().size() > MAX_COMMAND_ARGS) {
      p.add("has more than " + MAX_COMMAND_ARGS + " command arguments");
    }
    for (String arg : spec.command()) {
      if (arg == null) {
        p.add("has a null command argument");
        break;
      }
    }
    resources(spec.resources(), p);
    ports(spec.publishedPorts(), p);
    replicas(spec.replicas(), maxReplicas, p);
    Duration idle = spec.idleTimeout();
    if (idle == null || idle.isNegative() || idle.isZero()) {
      p.add("has no positive idleTimeout (an ISO-8601 duration such as PT15M)");
    }
    if (spec.owner() == null || spec.owner().isBlank()) {
      p.add("has no owner");
    }
    return List.copyOf(p);
  }

  private static void env(List<EnvVar> env, List<String> p) {
    if (env.size() > MAX_ENV) {
      p.add("has more than " + MAX_ENV + " environment variables");
      return;
    }
    Set<String> seen = new HashSet<>();
    for (EnvVar e : env) {
      if (e == null) {
        p.add("has a null environment variable");
        continue;
      }
      EnvVarNames.problem(e.name()).ifPresent(s -> p.add("has an environment variable that " + s));
      if (e.name() != null && !seen.add(e.name())) {
        p.add("has the environment variable " + e.name() + " twice");
      }
      if (e.value() == null) {
        p.add("has no value for the environment variable " + e.name());
      }
    }
  }

  private static void resources(Resources r, List<String> p) {
    BigDecimal cpuRequest = quantity("cpuRequest", r.cpuRequest(), true, p);
    BigDecimal cpuLimit = quantity("cpuLimit", r.cpuLimit(), true, p);
    BigDecimal memoryRequest = quantity("memoryRequest", r.memoryRequest(), false, p);
    BigDecimal memoryLimit = quantity("memoryLimit", r.memoryLimit(), false, p);
    if (cpuRequest != null && cpuLimit != null && cpuRequest.compareTo(cpuLimit) > 0) {
      p.add("has a cpuRequest above its cpuLimit");
    }
    if (memoryRequest != null && memoryLimit != null && memoryRequest.compareTo(memoryLimit) > 0) {
      p.add("has a memoryRequest above its memoryLimit");
    }
  }

  /** The quantity's value, null when it is empty or invalid (then a problem is added). */
  static BigDecimal quantity(String field, String value, boolean cpu, List<String> p) {
    if (value.isEmpty()) {
      return null;
    }
    Matcher m = QUANTITY.matcher(value);
    String unit = m.matches() ? (m.group(2) == null ? "" : m.group(2)) : null;
    if (unit == null || (cpu && !unit.isEmpty() && !unit.equals("m")) || (!cpu && unit.equals("m"))) {
      p.add("has a " + field + " that is not a Kubernetes " + (cpu ? "CPU" : "memory") + " quantity (e.g. "
          + (cpu ? "\"500m\" or \"2\"" : "\"256Mi\" or \"1G\"") + "): '" + Ids.printable(value, 40) + "'");
      return null;
    }
    BigDecimal v = new BigDecimal(m.group(1)).multiply(UNITS.get(unit));
    if (v.signum() == 0) {
      p.add("has a " + field + " of zero");
      return null;
    }
    return v;
  }

  private static void ports(List<PublishedPort> ports, List<String> p) {
    if (ports.size() > MAX_PORTS) {
      p.add("publishes more than " + MAX_PORTS + " ports");
      return;
    }
    Set<Integer> seen = new HashSet<>();
    for (PublishedPort port : ports) {
      if (port == null) {
        p.add("has a null published port");
        continue;
      }
      if (port.port() < 1 || port.port() > 65535) {
        p.add("publishes port " + port.port() + ", outside 1..65535");
      } else if (!seen.add(port.port())) {
        p.add("publishes port " + port.port() + " twice");
      }
      if (port.access() == null) {
        p.add("has no access (public or private) for port " + port.port());
      }
      if (port.label().length() > MAX_LABEL) {
        p.add("has a label longer than " + MAX_LABEL + " characters for port " + port.port());
      }
      String path = port.initialPath();
      if (!path.startsWith("/") || path.length() > MAX_INITIAL_PATH || path.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        p.add("has an initialPath for port " + port.port() + " that does not start with '/' or is not a URL path "
            + "(printable ASCII, at most " + MAX_INITIAL_PATH + " characters)");
      }
    }
  }

  private static void replicas(Replicas r, int maxReplicas, List<String> p) {
    if (r == null) {
      p.add("has no replicas {min, max}");
      return;
    }
    if (r.min() < 1) {
      p.add("has replicas.min " + r.min() + " (at least 1)");
    }
    if (r.max() < r.min()) {
      p.add("has replicas.max " + r.max() + " below replicas.min " + r.min());
    }
    if (r.max() > maxReplicas) {
      p.add("has replicas.max " + r.max() + " above this cluster's cap of " + maxReplicas);
    }
  }
}
