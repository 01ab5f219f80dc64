package dev.tugboat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One environment variable of a model's container. A plain one carries its value exactly as the
 * SO sent it and {@code sealed} null; a secret one ({@link SecretEnvNames}) carries value "" and
 * its value sealed by a {@link Sealer}, so that no journal holds it in plaintext. Events written
 * before {@code sealed} existed read back with it null. toString never prints a secret's value.
 */
public record EnvVar(
    String name,
    String value,
    @JsonInclude(JsonInclude.Include.NON_NULL) String sealed) implements CborSerializable {

  /** A plain variable, as the SO sent it. */
  public EnvVar(String name, String value) {
    this(name, value, null);
  }

  /** True when the value is sealed (and {@link #value()} is ""). */
  public boolean hasSealedValue() {
    return sealed != null;
  }

  @Override
  public String toString() {
    if (hasSealedValue()) {
      return "EnvVar[name=" + name + ", value=<sealed>]";
    }
    if (name != null && SecretEnvNames.DEFAULT.isSecret(name)) {
      return "EnvVar[name=" + name + ", value=<secret>]";
    }
    return "EnvVar[name=" + name + ", value=" + value + "]";
  }
}
