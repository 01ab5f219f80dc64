package dev.tugboat.k8s;

import java.util.List;

/** The kinds of call the gateway makes, as tagged in the metrics. */
enum CallKind {
  CREATE("create"), DELETE("delete"), LOG("log"), GET("get"),
  /** The start-up warm-up's dry-run pod creates ({@link KubernetesWarmUp}). */
  WARM_UP("warm-up");

  /**
   * The order ready calls start in: calls on pods that exist (log, delete, get) before creates.
   * Those are bounded by the pods that exist and end work already done (a log read completes a
   * termination report the SO waits for, a delete frees quota); creates are not bounded, and in
   * one shared queue thousands of them hold every delete and log read back. Log reads go first:
   * in a burst of terminations each model's delete is asked only after its log was read, so
   * behind the deletes of the models before it a log read would wait for work no SO waits for.
   * The start-up warm-up goes last: it stands in for work, it never holds real work back.
   */
  static final List<CallKind> DISPATCH_ORDER = List.of(LOG, DELETE, GET, CREATE, WARM_UP);

  final String tag;

  CallKind(String tag) {
    this.tag = tag;
  }
}
