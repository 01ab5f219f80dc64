package dev.tugboat.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import dev.tugboat.http.EventStreamSettings;
import dev.tugboat.http.HttpSettings;
import dev.tugboat.http.RequestLimits;
import dev.tugboat.http.ServiceUrlSettings;
import dev.tugboat.persistence.HostedSettings;
import dev.tugboat.http.auth.AuthSettings;
import dev.tugboat.http.proxy.ProxyVia;
import dev.tugboat.k8s.KubernetesSettings;
import dev.tugboat.mqtt.MqttSettings;
import dev.tugboat.persistence.EntitySettings;
import dev.tugboat.persistence.EventFeedSettings;
import dev.tugboat.persistence.JournalConfig;
import dev.tugboat.persistence.NotificationSettings;
import dev.tugboat.persistence.RetentionSweeper;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.SecretSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The check of every setting before a node starts anything: each variable of
 * {@link EnvironmentVariables#SUPPORTED} against what it accepts, then every settings record
 * built from the configuration. Each problem is one line naming the variable (or the HOCON key,
 * when no variable set it) and what is accepted; a value is shown only for settings that are
 * never secret.
 */
public final class SettingsCheck {

  /** What a variable accepts: empty when the value is fine, otherwise what is accepted. */
  private record Rule(Function<String, Optional<String>> accepts) {}

  private static final Map<String, Rule> RULES = new LinkedHashMap<>();

  static {
    RULES.put("MQTT_PORT", port(1));
    RULES.put("KUBERNETES_PORT", new Rule(v -> port(1).accepts().apply(stripServiceLink(v))
        .map(a -> a + ", or tcp://host:port")));
    RULES.put("KUBERNETES_MODE", oneOf("dots-env", "kubeconfig", "in-cluster", "simulated"));
    RULES.put("TUGBOAT_MODE", oneOf("production", "embedded"));
    RULES.put("TUGBOAT_DB_KIND", oneOf("h2", "postgres"));
    RULES.put("TUGBOAT_HTTP_PORT", port(0));
    RULES.put("TUGBOAT_ANONYMOUS_READ", oneOf("auto", "true", "false", "on", "off", "yes", "no"));
    RULES.put("TUGBOAT_REMOTE_PORT", port(0));
    RULES.put("TUGBOAT_CLUSTER_BOOTSTRAP", oneOf("none", "kubernetes-api"));
    RULES.put("TUGBOAT_K8S_QPS", number(0, "a number >= 0 (0 = unlimited)"));
    RULES.put("TUGBOAT_K8S_BURST", integer(1));
    RULES.put("TUGBOAT_K8S_DELETE_QPS", number(0, "a number >= 0 (0 = not paced)"));
    RULES.put("TUGBOAT_MAX_MODELS", integer(1));
    RULES.put("TUGBOAT_HOSTED_MAX_REPLICAS", integer(1));
    RULES.put("TUGBOAT_PUBLIC_URL", new Rule(v -> v.isEmpty() ? Optional.empty()
        : ServiceUrlSettings.problem(v).map(p -> "an http:// or https:// URL with a host, no query (it " + p + ")")));
    RULES.put("TUGBOAT_PROXY_VIA", oneOf("auto", "pod-ip", "api-server"));
    RULES.put("TUGBOAT_ENDED_RETENTION", duration());
    RULES.put("TUGBOAT_ORPHAN_GRACE", duration());
    RULES.put("TUGBOAT_LOST_NODE_GRACE", duration());
    RULES.put("TUGBOAT_HOLD_ON_FAILURE", oneOf("true", "false", "on", "off", "yes", "no"));
    RULES.put("TUGBOAT_DRAIN_TIME", duration());
    RULES.put("TUGBOAT_LOG_LEVEL", oneOf("trace", "debug", "info", "warn", "error", "off"));
    RULES.put("TUGBOAT_ROOT_LOG_LEVEL", oneOf("trace", "debug", "info", "warn", "error", "off"));
    for (String name : RULES.keySet()) {
      if (!EnvironmentVariables.SUPPORTED.containsKey(name)) {
        throw new IllegalStateException("a rule for an unsupported variable: " + name);
      }
    }
  }

  /** The key a ConfigException names, relative to the path its settings were read under. */
  private static final Pattern RELATIVE_KEY =
      Pattern.compile("^(?:([A-Za-z0-9_.-]+) has type|Invalid value at '([^']+)')");

  private SettingsCheck() {}

  /**
   * The configuration a node would run with, its variables read from {@code environment}
   * instead of the process's: system properties over {@code overrides} over application.conf
   * over every reference.conf, as {@link TugboatNode#loadConfig} layers them.
   */
  public static Config load(Config overrides, Map<String, String> environment) {
    Map<String, String> variables = new LinkedHashMap<>();
    for (String name : EnvironmentVariables.SUPPORTED.keySet()) {
      String value = environment.get(name);
      if (value != null) {
        variables.put(name, value);
      }
    }
    Config unresolved = ConfigFactory.defaultOverrides()
        .withFallback(overrides)
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.defaultReferenceUnresolved());
    // The variables as root keys stand in for the environment that ${?VAR} otherwise reads.
    return ConfigFactory.parseMap(variables).withFallback(unresolved)
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
  }

  /**
   * Every problem of the settings, one line each, in the order of the README's table, then
   * those only the settings records find; empty when the node may start.
   */
  public static List<String> problems(Config config, Map<String, String> environment) {
    List<String> problems = new ArrayList<>();
    List<String> reported = new ArrayList<>();
    for (Map.Entry<String, Rule> rule : RULES.entrySet()) {
      String name = rule.getKey();
      String value = environment.get(name);
      if (value == null) {
        continue;
      }
      Optional<String> accepted = rule.getValue().accepts().apply(value.strip());
      if (accepted.isPresent()) {
        reported.add(name);
        problems.add(name + " (" + EnvironmentVariables.SUPPORTED.get(name) + ") is '" + shown(value)
            + "': accepted is " + accepted.get());
      }
    }
    boolean embedded;
    try {
      embedded = NodeSettings.fromConfig(config).embedded();
    } catch (RuntimeException e) {
      embedded = false;
      record(problems, reported, environment, "tugboat", e);
    }
    final boolean embeddedMode = embedded;
    // Each record with the path its configuration is read under: a ConfigException names the key
    // relative to it.
    List<Map.Entry<String, Runnable>> records = new ArrayList<>();
    records.add(Map.entry("tugboat.http", () -> HttpSettings.fromConfig(config)));
    records.add(Map.entry("tugboat.http", () -> RequestLimits.fromConfig(config)));
    records.add(Map.entry("tugboat.http", () -> ServiceUrlSettings.fromConfig(config)));
    records.add(Map.entry("tugboat.http.proxy", () -> ProxyVia.fromConfig(config)));
    records.add(Map.entry("tugboat.hosted", () -> HostedSettings.fromConfig(config)));
    records.add(Map.entry("tugboat.http.auth", () -> AuthSettings.fromConfig(config, embeddedMode)));
    records.add(Map.entry("tugboat.http.events", () -> EventStreamSettings.fromConfig(config)));
    records.add(Map.entry("tugboat.events", () -> EventFeedSettings.fromConfig(config)));
    records.add(Map.entry("tugboat.mqtt", () -> MqttSettings.fromConfig(config)));
    records.add(Map.entry("tugboat.kubernetes", () -> KubernetesSettings.fromConfig(config)));
    records.add(Map.entry("tugboat.entities", () -> EntitySettings.fromConfig(config)));
    records.add(Map.entry("tugboat.notifications", () -> NotificationSettings.fromConfig(config)));
    records.add(Map.entry("tugboat.entities", () -> RetentionSweeper.Settings.fromConfig(config)));
    records.add(Map.entry("tugboat.reconciler", () -> OwnPodReconciler.Settings.fromConfig(config)));
    records.add(Map.entry("tugboat.readiness", () -> NodeReadiness.Settings.fromConfig(config)));
    records.add(Map.entry("tugboat.cluster.down-crashed-members", () -> CrashedMemberDowning.Settings.fromConfig(config)));
    records.add(Map.entry("tugboat.limits", () -> DeployLimits.fromConfig(config)));
    records.add(Map.entry("tugboat", () -> DrainTime.fromConfig(config)));
    records.add(Map.entry("tugboat.secrets", () -> SecretSettings.fromConfig(config)));
    records.add(Map.entry("tugboat.database", () -> JournalConfig.withDatabase(config)));
    records.add(Map.entry("tugboat.cluster", () -> ClusterFormation.checkBootstrap(config)));
    records.add(Map.entry("tugboat.secrets", () -> secretKey(config, embeddedMode)));
    for (Map.Entry<String, Runnable> r : records) {
      try {
        r.getValue().run();
      } catch (RuntimeException e) {
        record(problems, reported, environment, r.getKey(), e);
      }
    }
    if (!embedded) {
      try {
        KubernetesSettings k8s = KubernetesSettings.fromConfig(config);
        if (k8s.mode() == KubernetesSettings.Mode.DOTS_ENV && k8s.apiToken().isBlank()) {
          problems.add("KUBERNETES_API_TOKEN (tugboat.kubernetes.api-token) is not set: KUBERNETES_MODE dots-env (the"
              + " default) reaches the API server with it; set it, or choose KUBERNETES_MODE kubeconfig or in-cluster");
        }
      } catch (RuntimeException e) {
        // Reported above.
      }
    }
    return problems;
  }

  /** A production node needs a readable secret key file; the embedded mode makes its own. */
  private static void secretKey(Config config, boolean embedded) {
    String file = SecretSettings.fromConfig(config).keyFile();
    if (file.isEmpty()) {
      if (!embedded) {
        throw new StartRefused("TUGBOAT_SECRET_KEY_FILE (tugboat.secrets.key-file) is not set: a production node"
            + " needs the key that seals secret environment values (a file with 32 random bytes, base64;"
            + " docs/operations.md, \"Secrets\")");
      }
    } else if (!Files.isReadable(Path.of(file))) {
      throw new StartRefused("TUGBOAT_SECRET_KEY_FILE (tugboat.secrets.key-file) is '" + file
          + "': no readable file there");
    }
  }

  /**
   * One line for a settings record's refusal, naming the variable of the key it names when that
   * variable is set; nothing when that variable's value was already reported.
   */
  private static void record(List<String> problems, List<String> reported, Map<String, String> environment,
      String path, RuntimeException e) {
    if (!(e instanceof ConfigException || e instanceof IllegalArgumentException || e instanceof StartRefused
        || e instanceof IllegalStateException)) {
      throw e;
    }
    String message = withFullKey(message(e), path, e);
    Optional<Map.Entry<String, String>> named = EnvironmentVariables.SUPPORTED.entrySet().stream()
        .filter(v -> mentions(message, v.getValue()) || message.contains(v.getKey()))
        .findFirst();
    if (named.isPresent()) {
      String name = named.get().getKey();
      if (reported.contains(name)) {
        return;
      }
      if (environment.containsKey(name) && !message.contains(name)) {
        problems.add(name + ": " + message);
        reported.add(name);
        return;
      }
    }
    if (!problems.contains(message)) {
      problems.add(message);
    }
  }

  /** A ConfigException's message with the full key in front, since it names the key relative to {@code path}. */
  private static String withFullKey(String message, String path, RuntimeException e) {
    if (e instanceof ConfigException) {
      Matcher relative = RELATIVE_KEY.matcher(message);
      if (relative.find()) {
        String key = relative.group(1) != null ? relative.group(1) : relative.group(2);
        String full = key.startsWith("tugboat.") || key.startsWith("pekko.") ? key : path + "." + key;
        return full + ": " + message;
      }
    }
    return message;
  }

  /** True when the message names the key itself, not one of its longer siblings. */
  private static boolean mentions(String message, String key) {
    int at = message.indexOf(key);
    while (at >= 0) {
      int end = at + key.length();
      if (end == message.length() || !(Character.isLetterOrDigit(message.charAt(end)) || message.charAt(end) == '-'
          || message.charAt(end) == '.')) {
        return true;
      }
      at = message.indexOf(key, at + 1);
    }
    return false;
  }

  /** A ConfigException's text without its origin (a file and line of a jar on this machine). */
  private static String message(RuntimeException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    if (e instanceof ConfigException c && c.origin() != null) {
      String origin = c.origin().description() + ": ";
      if (message.startsWith(origin)) {
        message = message.substring(origin.length());
      }
    }
    return message.replace('\n', ' ');
  }

  private static String shown(String value) {
    return value.length() > 60 ? value.substring(0, 60) + "..." : value;
  }

  private static String stripServiceLink(String value) {
    int colon = value.lastIndexOf(':');
    return value.startsWith("tcp://") && colon > "tcp://".length() ? value.substring(colon + 1) : value;
  }

  private static Rule port(int lowest) {
    String accepted = "a port number from " + lowest + " to 65535" + (lowest == 0 ? " (0 = any free port)" : "");
    return new Rule(v -> {
      try {
        int p = Integer.parseInt(v);
        return p >= lowest && p <= 65535 ? Optional.empty() : Optional.of(accepted);
      } catch (NumberFormatException e) {
        return Optional.of(accepted);
      }
    });
  }

  private static Rule integer(int lowest) {
    String accepted = "a whole number >= " + lowest;
    return new Rule(v -> {
      try {
        return Integer.parseInt(v) >= lowest ? Optional.empty() : Optional.of(accepted);
      } catch (NumberFormatException e) {
        return Optional.of(accepted);
      }
    });
  }

  private static Rule number(double lowest, String accepted) {
    return new Rule(v -> {
      try {
        double d = Double.parseDouble(v);
        return Double.isFinite(d) && d >= lowest ? Optional.empty() : Optional.of(accepted);
      } catch (NumberFormatException e) {
        return Optional.of(accepted);
      }
    });
  }

  private static Rule oneOf(String... values) {
    List<String> accepted = List.of(values);
    return new Rule(v -> accepted.contains(v.toLowerCase(Locale.ROOT)) ? Optional.empty()
        : Optional.of("one of " + String.join(", ", accepted)));
  }

  private static Rule duration() {
    String accepted = "a duration such as 90s, 10m, 2h or 7d";
    return new Rule(v -> {
      try {
        java.time.Duration d = ConfigFactory.parseMap(Map.of("d", v)).getDuration("d");
        return d.isNegative() ? Optional.of(accepted) : Optional.empty();
      } catch (ConfigException e) {
        return Optional.of(accepted);
      }
    });
  }
}
