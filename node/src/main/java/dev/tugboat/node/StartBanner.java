package dev.tugboat.node;

import com.typesafe.config.Config;
import dev.tugboat.http.HttpSettings;
import dev.tugboat.k8s.KubernetesSettings;
import dev.tugboat.mqtt.MqttSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The few lines {@code run} prints before it starts a node: the mode, the broker, the Kubernetes
 * API server and namespace, the journal, the HTTP address, and every variable that is set but
 * not used in this mode (or not read at all). Never a password or a token.
 */
public final class StartBanner {

  private StartBanner() {}

  /** The banner of a node about to start on {@code config} (checked by {@link SettingsCheck}). */
  public static List<String> lines(Config config, Map<String, String> environment) {
    NodeSettings node = NodeSettings.fromConfig(config);
    MqttSettings mqtt = MqttSettings.fromConfig(config);
    KubernetesSettings k8s = KubernetesSettings.fromConfig(config);
    HttpSettings http = HttpSettings.fromConfig(config);
    List<String> lines = new ArrayList<>();
    lines.add("Tugboat " + TugboatVersion.version() + ", " + node.mode().name().toLowerCase(Locale.ROOT)
        + " mode" + (node.embedded() ? " (an embedded broker and a simulated Kubernetes in this process)" : ""));
    if (node.embedded()) {
      String host = config.hasPath("tugboat.embedded.mqtt-host") ? config.getString("tugboat.embedded.mqtt-host")
          : mqtt.host();
      int port = config.hasPath("tugboat.embedded.mqtt-port") ? config.getInt("tugboat.embedded.mqtt-port")
          : mqtt.port();
      lines.add("  broker:     embedded, listening on " + host + ":" + port + "; SO simulator name '"
          + mqtt.simulatorName() + "'");
      lines.add("  kubernetes: simulated in this process, namespace " + k8s.namespace());
    } else {
      lines.add("  broker:     " + mqtt.serverUri() + (mqtt.username().isEmpty() ? "" : " as user " + mqtt.username())
          + "; SO simulator name '" + mqtt.simulatorName() + "'");
      lines.add("  kubernetes: " + kubernetes(k8s) + ", namespace " + k8s.namespace());
    }
    lines.add("  journal:    " + journal(config));
    lines.add("  http:       http://" + http.interfaceAddress() + ":" + http.port()
        + (http.port() == 0 ? " (any free port)" : ""));
    Map<String, String> unused = unused(node.embedded(), k8s.mode(), config, environment);
    for (Map.Entry<String, String> u : unused.entrySet()) {
      lines.add("  not used:   " + u.getKey() + " is set, but " + u.getValue());
    }
    for (String name : EnvironmentVariables.unreadNames(environment)) {
      lines.add("  not used:   " + name + " is set, but Tugboat does not read it (README, \"Configuration\")");
    }
    return lines;
  }

  private static String kubernetes(KubernetesSettings k8s) {
    return switch (k8s.mode()) {
      case DOTS_ENV -> "https://" + k8s.host() + ":" + k8s.port() + " (KUBERNETES_MODE dots-env, bearer token)";
      case KUBECONFIG -> "from ~/.kube/config or $KUBECONFIG (KUBERNETES_MODE kubeconfig)";
      case IN_CLUSTER -> "this pod's cluster, with its service account (KUBERNETES_MODE in-cluster)";
      case SIMULATED -> "simulated in this process (KUBERNETES_MODE simulated)";
    };
  }

  /** Where the journal is: an H2 file, or a PostgreSQL URL without any password in it. */
  static String journal(Config config) {
    String url = config.getString("tugboat.database.url");
    if (url.startsWith("jdbc:h2:file:")) {
      String file = url.substring("jdbc:h2:file:".length());
      int semicolon = file.indexOf(';');
      if (semicolon >= 0) {
        file = file.substring(0, semicolon);
      }
      return "H2 file " + Path.of(file).toAbsolutePath().normalize() + " (.mv.db)";
    }
    String shown = url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//([^/@:]+):[^/@]*@", "//$1:***@");
    if (url.startsWith("jdbc:postgresql:")) {
      return "PostgreSQL " + shown + " as user " + config.getString("tugboat.database.user");
    }
    return shown;
  }

  /** Each variable that is set but has no effect in this mode, with why. */
  static Map<String, String> unused(boolean embedded, KubernetesSettings.Mode k8sMode, Config config,
      Map<String, String> environment) {
    Map<String, String> why = new LinkedHashMap<>();
    if (embedded) {
      why.put("MQTT_HOST", "the embedded broker is used (MQTT_PORT sets its port)");
      String simulated = "the embedded mode runs a simulated Kubernetes";
      for (String name : List.of("KUBERNETES_MODE", "KUBERNETES_HOST", "KUBERNETES_PORT", "KUBERNETES_API_TOKEN")) {
        why.put(name, simulated);
      }
    } else if (k8sMode != KubernetesSettings.Mode.DOTS_ENV) {
      String other = "KUBERNETES_MODE " + k8sMode.configName() + " does not use it (only dots-env does)";
      for (String name : List.of("KUBERNETES_HOST", "KUBERNETES_PORT", "KUBERNETES_API_TOKEN")) {
        why.put(name, other);
      }
    }
    if (config.getString("tugboat.cluster.bootstrap").trim().equalsIgnoreCase("kubernetes-api")) {
      why.put("TUGBOAT_SEED_NODES", "TUGBOAT_CLUSTER_BOOTSTRAP kubernetes-api finds the other nodes itself");
    }
    if (!embedded && config.getString("tugboat.database.url").startsWith("jdbc:postgresql:")) {
      why.put("TUGBOAT_DATA_DIR", "the journal is in PostgreSQL (the data directory holds only the H2 journal"
          + " and the embedded mode's files)");
    }
    why.keySet().retainAll(environment.keySet());
    return why;
  }
}
