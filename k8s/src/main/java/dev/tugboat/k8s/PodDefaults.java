package dev.tugboat.k8s;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What every model pod gets besides the DOTS conventions, from {@code tugboat.kubernetes.pod-defaults}:
 * resource requests and limits of the model container, the service account and tolerations of the
 * pod. An empty string means "not set" (the cluster's defaults apply). Checked at start-up.
 */
public record PodDefaults(
    String requestsCpu,
    String requestsMemory,
    String limitsCpu,
    String limitsMemory,
    String serviceAccount,
    List<Toleration> tolerations) {

  private static final Set<String> OPERATORS = Set.of("Equal", "Exists");
  private static final Set<String> EFFECTS = Set.of("", "NoSchedule", "PreferNoSchedule", "NoExecute");

  /** A pod toleration; operator Equal or Exists (then no value); effect empty means every effect. */
  public record Toleration(String key, String operator, String value, String effect) {
    public Toleration {
      if (!OPERATORS.contains(operator)) {
        throw new IllegalArgumentException("toleration operator must be Equal or Exists, not '" + operator + "'");
      }
      if (!EFFECTS.contains(effect)) {
        throw new IllegalArgumentException("toleration effect must be empty, NoSchedule, PreferNoSchedule or NoExecute, not '"
            + effect + "'");
      }
      if (operator.equals("Exists") && !value.isEmpty()) {
        throw new IllegalArgumentException("a toleration with operator Exists takes no value (key '" + key + "')");
      }
      if (key.isEmpty() && !operator.equals("Exists")) {
        throw new IllegalArgumentException("a toleration without a key needs operator Exists");
      }
    }
  }

  public PodDefaults {
    checkQuantity("resources.requests.cpu", requestsCpu);
    checkQuantity("resources.requests.memory", requestsMemory);
    checkQuantity("resources.limits.cpu", limitsCpu);
    checkQuantity("resources.limits.memory", limitsMemory);
    tolerations = List.copyOf(tolerations);
  }

  /** Nothing set. */
  public static PodDefaults none() {
    return new PodDefaults("", "", "", "", "", List.of());
  }

  /**
   * Reads {@code pod-defaults} of the given {@code tugboat.kubernetes} config. Tolerations are a
   * list of {key, operator, value, effect} objects, or (so an environment variable can carry them)
   * a string in kubectl's taint form: {@code key[=value][:effect]}, comma-separated.
   */
  public static PodDefaults fromConfig(Config kubernetes) {
    try {
      return read(kubernetes.getConfig("pod-defaults"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tugboat.kubernetes.pod-defaults: " + e.getMessage(), e);
    }
  }

  private static PodDefaults read(Config c) {
    List<Toleration> tolerations = new ArrayList<>();
    if (c.getValue("tolerations").valueType() == ConfigValueType.STRING) {
      for (String item : c.getString("tolerations").split(",")) {
        if (!item.isBlank()) {
          tolerations.add(parseToleration(item.trim()));
        }
      }
    } else {
      for (Config t : c.getConfigList("tolerations")) {
        tolerations.add(new Toleration(optional(t, "key"), t.hasPath("operator") ? t.getString("operator") : "Equal",
            optional(t, "value"), optional(t, "effect")));
      }
    }
    return new PodDefaults(
        c.getString("resources.requests.cpu"),
        c.getString("resources.requests.memory"),
        c.getString("resources.limits.cpu"),
        c.getString("resources.limits.memory"),
        c.getString("service-account"),
        tolerations);
  }

  /** key[=value][:effect]; without a value the operator is Exists. */
  static Toleration parseToleration(String s) {
    String effect = "";
    int colon = s.lastIndexOf(':');
    if (colon >= 0) {
      effect = s.substring(colon + 1);
      s = s.substring(0, colon);
    }
    int eq = s.indexOf('=');
    if (eq < 0) {
      return new Toleration(s, "Exists", "", effect);
    }
    return new Toleration(s.substring(0, eq), "Equal", s.substring(eq + 1), effect);
  }

  private static String optional(Config c, String path) {
    try {
      return c.hasPath(path) ? c.getString(path) : "";
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException("toleration " + path + " must be a string", e);
    }
  }

  private static void checkQuantity(String name, String value) {
    if (value.isEmpty()) {
      return;
    }
    try {
      Quantity.getAmountInBytes(Quantity.parse(value));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(name + " '" + value + "' is not a Kubernetes quantity", e);
    }
  }
}
