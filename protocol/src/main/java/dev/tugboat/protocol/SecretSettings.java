package dev.tugboat.protocol;

import com.typesafe.config.Config;

/**
 * Where the node's secret key comes from and which environment variables are secret, read once
 * from {@code tugboat.secrets}. keyFile "" means none is configured (the embedded mode then keeps
 * a key of its own under the data directory; production refuses to start).
 */
public record SecretSettings(String keyFile, SecretEnvNames names) {

  public static SecretSettings fromConfig(Config config) {
    return new SecretSettings(config.getString("tugboat.secrets.key-file").trim(), SecretEnvNames.fromConfig(config));
  }
}
