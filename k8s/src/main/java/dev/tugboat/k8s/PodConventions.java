package dev.tugboat.k8s;

/** Names of the labels, annotations and containers that make a pod a Tugboat model pod or hosted-service pod. */
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
  /** A hosted service's pod: the service's name (also the entity id). */
  public static final String LABEL_HOSTED_SERVICE = "tugboat.dev/hosted-service";
  /** A hosted service's pod: its replica slot (0, 1, ...). */
  public static final String LABEL_REPLICA = "tugboat.dev/replica";
  /** A hosted service's pod: the generation of its slot (a replacement is the next one). */
  public static final String LABEL_GENERATION = "tugboat.dev/generation";
  /** The container of a hosted service's pod. */
  public static final String HOSTED_CONTAINER_NAME = "service";

  private PodConventions() {}
}
