package dev.tugboat.mqtt.sim;

import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The DOTS quickstart as an SO deploys it: simulation {@value #SIMULATION_ID} of simulator
 * {@value #SIMULATOR_ID} with four fake models, whose EXIT_CODE is unset, 1, 2 and unset (so two
 * end SUCCESSFULL and two FAILED). Run by {@code demo} and by the quickstart test.
 */
public final class Quickstart {
  public static final String SIMULATOR_ID = "204-asd";
  public static final String SIMULATION_ID = "sim02-abc";

  private Quickstart() {}

  /** The four models, told to reach the broker at {@code mqttHost:mqttPort}. */
  public static List<ModelSpec> models(String mqttHost, int mqttPort) {
    String[] exitCodes = {null, "1", "2", null};
    List<ModelSpec> models = new ArrayList<>();
    for (int i = 0; i < exitCodes.length; i++) {
      List<EnvVar> env = new ArrayList<>(List.of(
          new EnvVar("MQTT_HOST", mqttHost), new EnvVar("MQTT_PORT", Integer.toString(mqttPort)),
          new EnvVar("SIMULATOR_ID", SIMULATOR_ID), new EnvVar("SIMULATION_ID", SIMULATION_ID),
          new EnvVar("MODEL_ID", Integer.toString(i))));
      if (exitCodes[i] != null) {
        env.add(new EnvVar("EXIT_CODE", exitCodes[i]));
      }
      models.add(new ModelSpec(Integer.toString(i), "fake_model:latest", env));
    }
    return models;
  }
}
