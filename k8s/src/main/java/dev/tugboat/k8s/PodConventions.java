package dev.tugboat.k8s;

/** Names of the labels, annotations and container that make a pod a Tugboat (DOTS) model pod. */
public final class PodConventions {
  public static final String LABEL_SIMULATOR_ID = "simulator_id";
  public static final String LABEL_SIMULATION_ID = "simulation_id";
  public static final String LABEL_MODEL_ID = "model_id";
  public static final String LABEL_KEEP_LOGS_HOURS = "keep_logs_hours";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "tugboat";
  public static final String LABEL_DEPLOYMENT = "tugboat.dev/deployment";
  public static final String ANNOTATION_SIMULATOR_ID = "tugboat.dev/simulator-id";
  public static final String ANNOTATION_SIMULATION_ID = "tugboat.dev/simulation-id";
  public static final String ANNOTATION_MODEL_ID = "tugboat.dev/model-id";
  public static final String CONTAINER_NAME = "model";

  private PodConventions() {}
}
