package dev.tugboat.http.proxy;

import com.typesafe.config.Config;
import java.util.Locale;

/**
 * How the operator wants the proxy to reach replicas ({@code tugboat.http.proxy.via},
 * TUGBOAT_PROXY_VIA): {@link #AUTO} the pod network when Tugboat runs inside the cluster and the
 * API server's pod proxy otherwise; {@link #POD_IP} always the pod network; {@link #API_SERVER}
 * always the API server. The node turns the choice into a {@link ReplicaTransport}.
 */
public enum ProxyVia {
  AUTO("auto"), POD_IP("pod-ip"), API_SERVER("api-server");

  private final String configName;

  ProxyVia(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  /** The choice named {@code s}; fails with the allowed names otherwise. */
  public static ProxyVia parse(String s) {
    String name = s.strip().toLowerCase(Locale.ROOT);
    for (ProxyVia v : values()) {
      if (v.configName.equals(name)) {
        return v;
      }
    }
    throw new IllegalArgumentException("tugboat.http.proxy.via (TUGBOAT_PROXY_VIA) must be one of auto, pod-ip,"
        + " api-server; got '" + s + "'");
  }

  /** Reads {@code tugboat.http.proxy.via} from the root configuration. */
  public static ProxyVia fromConfig(Config root) {
    return parse(root.getString("tugboat.http.proxy.via"));
  }
}
