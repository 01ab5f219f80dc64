package dev.tugboat.k8s;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import dev.tugboat.protocol.PodNames;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The gateway's settings, read once from {@code tugboat.kubernetes}. {@link #toString()} never
 * shows the API token.
 */
public record KubernetesSettings(
    String namespace,
    String deploymentId,
    Map<String, String> nodeSelector,
    String imagePullSecret,
    String imagePullPolicy,
    Mode mode,
    String host,
    int port,
    String apiToken,
    int maxConcurrentCalls,
    double qps,
    int burst,
    DeletePace deletePace,
    Retry retry,
    Duration callTimeout,
    Duration informerResync,
    Admission admission,
    PodDefaults podDefaults) {

  /** How the fabric8 client finds the API server. */
  public enum Mode {
    DOTS_ENV("dots-env"), KUBECONFIG("kubeconfig"), IN_CLUSTER("in-cluster"), SIMULATED("simulated");

    private final String configName;

    Mode(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    public static Mode parse(String s) {
      for (Mode m : values()) {
        if (m.configName.equals(s.trim().toLowerCase(Locale.ROOT))) {
          return m;
        }
      }
      throw new IllegalArgumentException("tugboat.kubernetes.mode must be one of dots-env, kubeconfig, "
          + "in-cluster, simulated; got '" + s + "'");
    }
  }

  /** Backoff of retried calls: full jitter in [0, min(max, min * 2^attempt)], until giveUpAfter. */
  public record Retry(Duration minBackoff, Duration maxBackoff, Duration giveUpAfter) {
    public Retry {
      if (minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0 || giveUpAfter.isNegative()) {
        throw new IllegalArgumentException("retry needs 0 <= min-backoff <= max-backoff and give-up-after >= 0");
      }
    }
  }

  /**
   * Pod deletes' own token bucket, taken on top of the shared one: qps deletes a second, at most
   * burst saved up; qps 0 = not paced. Deletes are retention clean-up nobody waits for, and an
   * ended pod holds no quota: while they wait for a token, other kinds of call go ahead.
   */
  public record DeletePace(double qps, int burst) {
    public DeletePace {
      if (qps < 0 || burst < 1) {
        throw new IllegalArgumentException("tugboat.kubernetes.deletes.qps must be >= 0 (0 = not paced) and "
            + "tugboat.kubernetes.deletes.burst >= 1; got qps " + qps + ", burst " + burst);
      }
    }

    public boolean paced() {
      return qps > 0;
    }
  }

  /**
   * Admission of creates: at most maxPods live pods of this deployment (0 = no cap); a limit
   * learnt from "exceeded quota" answers rises by one after every raiseAfter successful creates.
   */
  public record Admission(int maxPods, int raiseAfter) {
    public Admission {
      if (maxPods < 0) {
        throw new IllegalArgumentException("tugboat.kubernetes.max-pods must be >= 0 (0 = no cap)");
      }
      if (raiseAfter < 1) {
        throw new IllegalArgumentException("tugboat.kubernetes.admission.raise-after must be at least 1");
      }
    }
  }

  public KubernetesSettings {
    nodeSelector = Map.copyOf(nodeSelector);
    if (maxConcurrentCalls < 1) {
      throw new IllegalArgumentException("tugboat.kubernetes.max-concurrent-calls must be at least 1");
    }
    if (qps < 0) {
      throw new IllegalArgumentException("tugboat.kubernetes.qps must be >= 0, was " + qps);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("tugboat.kubernetes.burst must be >= 1, was " + burst);
    }
    if (!PodNames.isDns1123Label(namespace)) {
      throw new IllegalArgumentException("tugboat.kubernetes.namespace '" + namespace + "' is not a valid namespace");
    }
  }

  public static KubernetesSettings fromConfig(Config root) {
    Config c = root.getConfig("tugboat.kubernetes");
    Map<String, String> selector = new LinkedHashMap<>();
    // node-selector = null switches the selector off (HOCON merges {} with the default).
    Iterable<Map.Entry<String, ConfigValue>> entries =
        c.hasPath("node-selector") ? c.getConfig("node-selector").entrySet() : java.util.Set.of();
    for (Map.Entry<String, ConfigValue> e : entries) {
      selector.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
    }
    Config r = c.getConfig("retry");
    return new KubernetesSettings(
        c.getString("namespace"),
        c.getString("deployment-id"),
        selector,
        c.getString("image-pull-secret"),
        c.getString("image-pull-policy"),
        Mode.parse(c.getString("mode")),
        c.getString("host"),
        apiPort(c.getString("port")),
        c.getString("api-token"),
        c.getInt("max-concurrent-calls"),
        c.getDouble("qps"),
        c.getInt("burst"),
        new DeletePace(c.getDouble("deletes.qps"), c.getInt("deletes.burst")),
        new Retry(r.getDuration("min-backoff"), r.getDuration("max-backoff"), r.getDuration("give-up-after")),
        c.getDuration("call-timeout"),
        c.getDuration("informer-resync"),
        new Admission(c.getInt("max-pods"), c.getInt("admission.raise-after")),
        PodDefaults.fromConfig(c));
  }

  /** The same settings with other retry limits (tests and the benchmark tune them). */
  public KubernetesSettings withRetry(Retry newRetry) {
    return new KubernetesSettings(namespace, deploymentId, nodeSelector, imagePullSecret, imagePullPolicy, mode,
        host, port, apiToken, maxConcurrentCalls, qps, burst, deletePace, newRetry, callTimeout, informerResync, admission, podDefaults);
  }

  /** The same settings with another concurrency bound and rate limit. */
  public KubernetesSettings withLimits(int newMaxConcurrentCalls, double newQps, int newBurst) {
    return new KubernetesSettings(namespace, deploymentId, nodeSelector, imagePullSecret, imagePullPolicy, mode,
        host, port, apiToken, newMaxConcurrentCalls, newQps, newBurst, deletePace, retry, callTimeout, informerResync, admission, podDefaults);
  }

  /** The same settings with another pace of deletes. */
  public KubernetesSettings withDeletePace(DeletePace newDeletePace) {
    return new KubernetesSettings(namespace, deploymentId, nodeSelector, imagePullSecret, imagePullPolicy, mode,
        host, port, apiToken, maxConcurrentCalls, qps, burst, newDeletePace, retry, callTimeout, informerResync, admission, podDefaults);
  }

  /** The same settings with other admission limits. */
  public KubernetesSettings withAdmission(Admission newAdmission) {
    return new KubernetesSettings(namespace, deploymentId, nodeSelector, imagePullSecret, imagePullPolicy, mode,
        host, port, apiToken, maxConcurrentCalls, qps, burst, deletePace, retry, callTimeout, informerResync, newAdmission, podDefaults);
  }

  /** The same settings with other pod defaults. */
  public KubernetesSettings withPodDefaults(PodDefaults newPodDefaults) {
    return new KubernetesSettings(namespace, deploymentId, nodeSelector, imagePullSecret, imagePullPolicy, mode,
        host, port, apiToken, maxConcurrentCalls, qps, burst, deletePace, retry, callTimeout, informerResync, admission, newPodDefaults);
  }

  /** The same settings for another namespace. */
  public KubernetesSettings withNamespace(String newNamespace) {
    return new KubernetesSettings(newNamespace, deploymentId, nodeSelector, imagePullSecret, imagePullPolicy, mode,
        host, port, apiToken, maxConcurrentCalls, qps, burst, deletePace, retry, callTimeout, informerResync, admission, podDefaults);
  }

  /** The same settings with another image pull secret ("" for none). */
  public KubernetesSettings withImagePullSecret(String secret) {
    return new KubernetesSettings(namespace, deploymentId, nodeSelector, secret, imagePullPolicy, mode,
        host, port, apiToken, maxConcurrentCalls, qps, burst, deletePace, retry, callTimeout, informerResync, admission, podDefaults);
  }

  @Override
  public String toString() {
    return "KubernetesSettings[namespace=" + namespace + ", deploymentId=" + deploymentId
        + ", nodeSelector=" + nodeSelector + ", imagePullSecret=" + imagePullSecret
        + ", imagePullPolicy=" + imagePullPolicy + ", mode=" + mode.configName() + ", host=" + host
        + ", port=" + port + ", apiToken=" + (apiToken.isEmpty() ? "<none>" : "<hidden>")
        + ", maxConcurrentCalls=" + maxConcurrentCalls + ", qps=" + qps + ", burst=" + burst + ", deletePace=" + deletePace
        + ", retry=" + retry + ", callTimeout=" + callTimeout + ", informerResync=" + informerResync + ", admission=" + admission + ", podDefaults=" + podDefaults + "]";
  }

  /**
   * The API server port. Inside a pod Kubernetes itself sets KUBERNETES_PORT to
   * {@code tcp://10.0.0.1:443} (a service link), the very variable the DOTS MSO reads as a plain
   * number; both forms are accepted so a Tugboat pod starts whatever the mode.
   */
  static int apiPort(String value) {
    String v = value.trim();
    int colon = v.lastIndexOf(':');
    if (v.startsWith("tcp://") && colon > "tcp://".length()) {
      v = v.substring(colon + 1);
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "tugboat.kubernetes.port (KUBERNETES_PORT) must be a port number or tcp://host:port, not '" + value + "'");
    }
  }
}
