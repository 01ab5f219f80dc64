package dev.tugboat.protocol;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which environment variables of a model are secrets: names matching one of the glob patterns
 * ({@code *} any run of characters, {@code ?} one), case-insensitively. Their values are sealed
 * in the journal and reach the container through a Kubernetes Secret. Read once from
 * {@code tugboat.secrets.env-name-patterns}.
 */
public final class SecretEnvNames {

  /** The patterns of reference.conf: DOTS hands every model the broker password as MQTT_PASSWORD. */
  public static final List<String> DEFAULT_PATTERNS = List.of("*PASSWORD*", "*TOKEN*", "*SECRET*", "*KEY*");

  /** The policy of the default patterns. */
  public static final SecretEnvNames DEFAULT = new SecretEnvNames(DEFAULT_PATTERNS);

  private final List<String> patterns;
  private final List<Pattern> compiled;

  public SecretEnvNames(List<String> patterns) {
    this.patterns = patterns.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
    this.compiled = this.patterns.stream().map(SecretEnvNames::compile).toList();
  }

  /**
   * Reads {@code tugboat.secrets.env-name-patterns}: a list, or one comma-separated string (the
   * form an environment variable such as TUGBOAT_SECRET_ENV_NAMES gives).
   */
  public static SecretEnvNames fromConfig(Config config) {
    String path = "tugboat.secrets.env-name-patterns";
    if (config.getValue(path).valueType() == ConfigValueType.LIST) {
      return new SecretEnvNames(config.getStringList(path));
    }
    return new SecretEnvNames(Arrays.asList(config.getString(path).split(",")));
  }

  public boolean isSecret(String envName) {
    if (envName == null) {
      return false;
    }
    for (Pattern p : compiled) {
      if (p.matcher(envName).matches()) {
        return true;
      }
    }
    return false;
  }

  public List<String> patterns() {
    return patterns;
  }

  private static Pattern compile(String glob) {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
  }

  @Override
  public String toString() {
    return "SecretEnvNames" + patterns;
  }
}
