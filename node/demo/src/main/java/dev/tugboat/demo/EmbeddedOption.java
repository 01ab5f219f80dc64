package dev.tugboat.demo;

import picocli.CommandLine.Option;

/** tugboat-demo's {@code run --embedded}: the embedded mode instead of the production mode. */
final class EmbeddedOption {
  @Option(names = "--embedded",
      description = {"Run the embedded mode: an embedded MQTT broker (listening on MQTT_PORT or --mqtt-port,"
          + " default 1883) and a simulated Kubernetes in this process, the journal in H2 under TUGBOAT_DATA_DIR."
          + " For trying Tugboat out; a DOTS deployment runs the production jar. Without it, run is the"
          + " production mode, as in tugboat.jar.",
          "The simulated Kubernetes runs images named fake_model* as the DOTS fake model and busybox as a"
          + " container that exits 0; any other image cannot be pulled (ErrImagePull, ImagePullBackOff) and its"
          + " model ends FAILED with exit code 200 after tugboat.entities.image-pull-grace (2 min)."})
  boolean embedded;
}
