package dev.tugboat.demo;

import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The models of a benchmark's simulation: {@code count} DOTS fake models ({@code m0}, {@code m1},
 * ...) with the environment the simulated kubelet's fake model needs to reach the broker and
 * report ReadyForProcessing.
 */
final class FakeModels {
  static final String IMAGE = "fake_model:latest";

  private FakeModels() {}

  static List<ModelSpec> specs(String mqttHost, int mqttPort, String simulatorId, String simulationId, int count) {
    List<ModelSpec> specs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      specs.add(new ModelSpec("m" + i, IMAGE, List.of(
          new EnvVar("MQTT_HOST", mqttHost),
          new EnvVar("MQTT_PORT", Integer.toString(mqttPort)),
          new EnvVar("SIMULATOR_ID", simulatorId), new EnvVar("SIMULATION_ID", simulationId),
          new EnvVar("MODEL_ID", "m" + i))));
    }
    return specs;
  }
}
