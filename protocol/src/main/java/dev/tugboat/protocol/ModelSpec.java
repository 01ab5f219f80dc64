package dev.tugboat.protocol;

import java.util.List;

/** One model of a DeployModels request: its id, container image and environment. */
public record ModelSpec(String modelId, String imageUrl, List<EnvVar> env) implements CborSerializable {
  public ModelSpec {
    env = env == null ? List.of() : List.copyOf(env);
  }
}
