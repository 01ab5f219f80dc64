package dev.tugboat.protocol;

import java.util.List;

/**
 * Everything needed to run one model as one pod: who asked (simulator and simulation), the model,
 * the deterministic pod name and the retention after termination.
 */
public record ServiceSpec(
    String simulatorId,
    String simulationId,
    String modelId,
    String imageUrl,
    List<EnvVar> env,
    double keepLogsHours,
    String podName) implements CborSerializable {

  public ServiceSpec {
    env = env == null ? List.of() : List.copyOf(env);
  }

  public static ServiceSpec of(String simulatorId, String simulationId, ModelSpec model, double keepLogsHours) {
    return new ServiceSpec(simulatorId, simulationId, model.modelId(), model.imageUrl(), model.env(),
        keepLogsHours, PodNames.podName(simulatorId, simulationId, model.modelId()));
  }

  public ServiceId serviceId() {
    return new ServiceId(simulationId, modelId);
  }
}
