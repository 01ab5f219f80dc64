package dev.tugboat.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;

/**
 * The one list of the environment variables Tugboat reads (each an operator's decision, with the
 * setting it sets) and of those it no longer reads (with the HOCON key to set instead, by
 * {@code -Dkey=value}). At start-up a node warns of every Tugboat-like variable it does not read,
 * so that nothing an operator sets is ignored silently.
 */
public final class EnvironmentVariables {

  /** Variables that look like Tugboat's: a name with this prefix that Tugboat does not read is reported. */
  static final String PREFIX = "TUGBOAT_";

  /** Where the level variables are read (logback substitutions, not HOCON). */
  static final String LOGBACK = "logback.xml: ";

  /** The variables Tugboat reads, each with the setting it sets (README, "Configuration"). */
  public static final Map<String, String> SUPPORTED = ordered(
      // The DOTS MSO's contract: a DOTS deployment sets these and nothing else.
      "MQTT_HOST", "tugboat.mqtt.host",
      "MQTT_PORT", "tugboat.mqtt.port",
      "MQTT_USERNAME", "tugboat.mqtt.username",
      "MQTT_PASSWORD", "tugboat.mqtt.password",
      "SIMULATOR_NAME", "tugboat.mqtt.simulator-name",
      "KUBERNETES_HOST", "tugboat.kubernetes.host",
      "KUBERNETES_PORT", "tugboat.kubernetes.port",
      "KUBERNETES_API_TOKEN", "tugboat.kubernetes.api-token",
      "KUBERNETES_PULL_IMAGE_SECRET_NAME", "tugboat.kubernetes.image-pull-secret",
      "KUBERNETES_NAMESPACE", "tugboat.kubernetes.namespace",
      // What the operator's environment is: where things are, who may touch what.
      "KUBERNETES_MODE", "tugboat.kubernetes.mode",
      "TUGBOAT_MODE", "tugboat.mode",
      "TUGBOAT_DATA_DIR", "tugboat.data-dir",
      "TUGBOAT_DB_KIND", "tugboat.database.kind",
      "TUGBOAT_DB_URL", "tugboat.database.url",
      "TUGBOAT_DB_USER", "tugboat.database.user",
      "TUGBOAT_DB_PASSWORD", "tugboat.database.password",
      "TUGBOAT_HTTP_INTERFACE", "tugboat.http.interface",
      "TUGBOAT_HTTP_PORT", "tugboat.http.port",
      "TUGBOAT_TOKENS_FILE", "tugboat.http.auth.tokens-file",
      "TUGBOAT_ANONYMOUS_READ", "tugboat.http.auth.anonymous-read",
      "TUGBOAT_PUBLIC_URL", "tugboat.http.public-url",
      "TUGBOAT_SERVICES_DOMAIN", "tugboat.http.services-domain",
      "TUGBOAT_PROXY_VIA", "tugboat.http.proxy.via",
      "TUGBOAT_REMOTE_HOST", "pekko.remote.artery.canonical.hostname",
      "TUGBOAT_REMOTE_PORT", "pekko.remote.artery.canonical.port",
      "TUGBOAT_SEED_NODES", "tugboat.cluster.seed-nodes",
      "TUGBOAT_CLUSTER_BOOTSTRAP", "tugboat.cluster.bootstrap",
      "TUGBOAT_APP_VERSION", "pekko.cluster.app-version",
      "TUGBOAT_DEPLOYMENT_ID", "tugboat.kubernetes.deployment-id",
      "TUGBOAT_MQTT_SHARED_GROUP", "tugboat.mqtt.shared-group",
      "TUGBOAT_MQTT_CLIENT_ID", "tugboat.mqtt.client-id",
      "TUGBOAT_SECRET_KEY_FILE", "tugboat.secrets.key-file",
      "TUGBOAT_SECRET_ENV_NAMES", "tugboat.secrets.env-name-patterns",
      // Budgets and promises the operator makes to the API server and the SO.
      "TUGBOAT_K8S_QPS", "tugboat.kubernetes.qps",
      "TUGBOAT_K8S_BURST", "tugboat.kubernetes.burst",
      "TUGBOAT_K8S_DELETE_QPS", "tugboat.kubernetes.deletes.qps",
      "TUGBOAT_MAX_MODELS", "tugboat.limits.max-models",
      "TUGBOAT_HOSTED_MAX_REPLICAS", "tugboat.hosted.max-replicas",
      "TUGBOAT_ENDED_RETENTION", "tugboat.entities.ended-retention",
      "TUGBOAT_ORPHAN_GRACE", "tugboat.reconciler.orphan-grace",
      "TUGBOAT_LOST_NODE_GRACE", "tugboat.entities.lost-node-grace",
      "TUGBOAT_HOLD_ON_FAILURE", "tugboat.entities.hold-on-failure",
      "TUGBOAT_DRAIN_TIME", "tugboat.drain-time",
      "TUGBOAT_LOG_LEVEL", LOGBACK + "level of the dev.tugboat loggers",
      "TUGBOAT_ROOT_LOG_LEVEL", LOGBACK + "level of every other logger");

  /**
   * Variables earlier versions read, each with the HOCON key that holds the setting now. Internal
   * tuning, or a value that must never change on a running deployment (FixedSettings).
   */
  public static final Map<String, String> REMOVED = ordered(
      "TUGBOAT_EMBEDDED_MQTT_PORT", "tugboat.embedded.mqtt-port",
      "TUGBOAT_RECONCILE_INTERVAL", "tugboat.reconciler.interval",
      "TUGBOAT_MANAGEMENT_ENABLED", "tugboat.cluster.management",
      "TUGBOAT_DOWN_CRASHED_MEMBERS", "tugboat.cluster.down-crashed-members.enabled",
      "TUGBOAT_DOWN_CRASHED_MEMBERS_INTERVAL", "tugboat.cluster.down-crashed-members.interval",
      "TUGBOAT_MANAGEMENT_BIND_HOST", "pekko.management.http.bind-hostname",
      "TUGBOAT_MANAGEMENT_PORT", "pekko.management.http.port",
      "TUGBOAT_SERVICE_NAME", "pekko.management.cluster.bootstrap.contact-point-discovery.service-name",
      "TUGBOAT_REQUIRED_CONTACT_POINTS",
      "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr",
      "TUGBOAT_DISPATCHER_MIN_THREADS", "pekko.actor.default-dispatcher.fork-join-executor.parallelism-min",
      "TUGBOAT_SBR_STRATEGY", "pekko.cluster.split-brain-resolver.active-strategy",
      "TUGBOAT_SBR_STABLE_AFTER", "pekko.cluster.split-brain-resolver.stable-after",
      "TUGBOAT_DOWN_REMOVAL_MARGIN", "pekko.cluster.down-removal-margin",
      "KUBERNETES_IMAGE_PULL_POLICY", "tugboat.kubernetes.image-pull-policy",
      "TUGBOAT_K8S_MAX_CONCURRENT_CALLS", "tugboat.kubernetes.max-concurrent-calls",
      "TUGBOAT_K8S_DELETE_BURST", "tugboat.kubernetes.deletes.burst",
      "TUGBOAT_K8S_RETRY_MIN_BACKOFF", "tugboat.kubernetes.retry.min-backoff",
      "TUGBOAT_K8S_RETRY_MAX_BACKOFF", "tugboat.kubernetes.retry.max-backoff",
      "TUGBOAT_K8S_RETRY_GIVE_UP_AFTER", "tugboat.kubernetes.retry.give-up-after",
      "TUGBOAT_K8S_CALL_TIMEOUT", "tugboat.kubernetes.call-timeout",
      "TUGBOAT_K8S_INFORMER_RESYNC", "tugboat.kubernetes.informer-resync",
      "TUGBOAT_MAX_PODS", "tugboat.kubernetes.max-pods",
      "TUGBOAT_K8S_ADMISSION_RAISE_AFTER", "tugboat.kubernetes.admission.raise-after",
      "TUGBOAT_POD_REQUESTS_CPU", "tugboat.kubernetes.pod-defaults.resources.requests.cpu",
      "TUGBOAT_POD_REQUESTS_MEMORY", "tugboat.kubernetes.pod-defaults.resources.requests.memory",
      "TUGBOAT_POD_LIMITS_CPU", "tugboat.kubernetes.pod-defaults.resources.limits.cpu",
      "TUGBOAT_POD_LIMITS_MEMORY", "tugboat.kubernetes.pod-defaults.resources.limits.memory",
      "TUGBOAT_POD_SERVICE_ACCOUNT", "tugboat.kubernetes.pod-defaults.service-account",
      "TUGBOAT_POD_TOLERATIONS", "tugboat.kubernetes.pod-defaults.tolerations",
      "TUGBOAT_SIM_MODEL_RUN_TIME", "tugboat.kubernetes.simulated.model-run-time",
      "TUGBOAT_SIM_PENDING_DELAY", "tugboat.kubernetes.simulated.pending-delay",
      "TUGBOAT_SIM_ERROR_RATE", "tugboat.kubernetes.simulated.error-rate",
      "TUGBOAT_SIM_LATENCY", "tugboat.kubernetes.simulated.latency",
      "TUGBOAT_SIM_429_BURST", "tugboat.kubernetes.simulated.too-many-requests-burst",
      "TUGBOAT_SIM_429_RETRY_AFTER", "tugboat.kubernetes.simulated.too-many-requests-retry-after",
      "TUGBOAT_SIM_MAX_PODS", "tugboat.kubernetes.simulated.max-pods",
      "TUGBOAT_ENTITY_STASH_CAPACITY", "pekko.persistence.typed.stash-capacity",
      "TUGBOAT_MAX_CONCURRENT_RECOVERIES", "pekko.persistence.max-concurrent-recoveries",
      "TUGBOAT_NOTIFICATION_POLL_INTERVAL", "jdbc-read-journal.refresh-interval",
      "TUGBOAT_NOTIFICATION_SEQUENCE_INTERVAL", "jdbc-read-journal.journal-sequence-retrieval.query-delay",
      "TUGBOAT_NOTIFICATION_GAP_TRIES", "jdbc-read-journal.journal-sequence-retrieval.max-tries",
      "TUGBOAT_DB_MAX_CONNECTIONS", "tugboat.database.max-connections",
      "TUGBOAT_DB_SIMULATION_CONNECTIONS", "tugboat.database.simulation-connections",
      "TUGBOAT_DB_SHARDING_CONNECTIONS", "tugboat.database.sharding-connections",
      "TUGBOAT_SIMULATION_TICK", "tugboat.entities.simulation-tick",
      "TUGBOAT_SERVICE_TICK", "tugboat.entities.service-tick",
      "TUGBOAT_CREATE_RETRY_AFTER", "tugboat.entities.create-retry-after",
      "TUGBOAT_CREATE_MAX_ATTEMPTS", "tugboat.entities.create-max-attempts",
      "TUGBOAT_POD_MISSING_GRACE", "tugboat.entities.pod-missing-grace",
      "TUGBOAT_LOG_TAIL_LINES", "tugboat.entities.log-tail-lines",
      "TUGBOAT_REPORT_RETRY", "tugboat.entities.report-retry",
      "TUGBOAT_ASK_TIMEOUT", "tugboat.entities.ask-timeout",
      "TUGBOAT_DELETE_MAX_ATTEMPTS", "tugboat.entities.delete-max-attempts",
      "TUGBOAT_SIMULATION_SNAPSHOT_EVERY", "tugboat.entities.simulation-snapshot-every",
      "TUGBOAT_SIMULATION_JOURNAL_PLUGIN", "tugboat.entities.simulation-journal-plugin",
      "TUGBOAT_SIMULATION_SNAPSHOT_PLUGIN", "tugboat.entities.simulation-snapshot-plugin",
      "TUGBOAT_CREATE_WINDOW", "tugboat.entities.create-window",
      "TUGBOAT_DELETED_LINGER", "tugboat.entities.deleted-linger",
      "TUGBOAT_LATE_READY_GRACE", "tugboat.entities.late-ready-grace",
      "TUGBOAT_NOTIFICATION_TAGS", "tugboat.notifications.tag-count",
      "TUGBOAT_NOTIFICATION_GROUP_SIZE", "tugboat.notifications.group-size",
      "TUGBOAT_NOTIFICATION_GROUP_WITHIN", "tugboat.notifications.group-within",
      "TUGBOAT_NOTIFICATION_FAST_PATH", "tugboat.notifications.fast-path",
      "TUGBOAT_HTTP_ASK_TIMEOUT", "tugboat.http.ask-timeout",
      "TUGBOAT_HTTP_TERMINATION_DEADLINE", "tugboat.http.termination-deadline",
      "TUGBOAT_MQTT_QOS", "tugboat.mqtt.qos",
      "TUGBOAT_MQTT_MAX_INFLIGHT", "tugboat.mqtt.max-inflight",
      "TUGBOAT_MQTT_KEEP_ALIVE", "tugboat.mqtt.keep-alive",
      "TUGBOAT_MQTT_CONNECT_TIMEOUT", "tugboat.mqtt.connect-timeout",
      "TUGBOAT_MQTT_RECONNECT_MAX_DELAY", "tugboat.mqtt.reconnect-max-delay",
      "TUGBOAT_MQTT_ROUTE_TIMEOUT", "tugboat.mqtt.route-timeout",
      "TUGBOAT_MQTT_ROUTE_ATTEMPTS", "tugboat.mqtt.route-attempts",
      "TUGBOAT_MQTT_PUBLISH_TIMEOUT", "tugboat.mqtt.publish-timeout");

  private EnvironmentVariables() {}

  /**
   * One line per variable of {@code environment} that Tugboat does not read although it looks
   * like one of its own (the prefix, or a name an earlier version read), in name order. Names
   * only: a value may be a secret.
   */
  static List<String> unread(Map<String, String> environment) {
    Set<String> names = new TreeSet<>(environment.keySet());
    List<String> lines = new ArrayList<>();
    for (String name : names) {
      if (SUPPORTED.containsKey(name)) {
        continue;
      }
      String key = REMOVED.get(name);
      if (key != null) {
        lines.add("environment variable " + name + " is not read any more and is ignored: set " + key
            + " with -D" + key + "=<value> (docs/operations.md, \"Settings\")");
      } else if (name.startsWith(PREFIX)) {
        lines.add("environment variable " + name + " is not a Tugboat setting and is ignored: the variables"
            + " Tugboat reads are in the README's Configuration table; other settings are HOCON keys, set"
            + " with -Dkey=value");
      }
    }
    return lines;
  }

  /** The names {@link #unread} reports, in name order. */
  static List<String> unreadNames(Map<String, String> environment) {
    return new TreeSet<>(environment.keySet()).stream()
        .filter(n -> !SUPPORTED.containsKey(n) && (REMOVED.containsKey(n) || n.startsWith(PREFIX)))
        .toList();
  }

  /** Logs {@link #unread} at WARN, one line each; the node starts all the same. */
  static void warnOfUnread(Map<String, String> environment, Logger log) {
    for (String line : unread(environment)) {
      log.warn(line);
    }
  }

  private static Map<String, String> ordered(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      if (map.put(pairs[i], pairs[i + 1]) != null) {
        throw new IllegalStateException("listed twice: " + pairs[i]);
      }
    }
    return java.util.Collections.unmodifiableMap(map);
  }
}
