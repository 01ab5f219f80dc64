package dev.tugboat.k8s;

import dev.tugboat.protocol.SealedValueException;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.hosted.HostedSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One attempt of each of the gateway's API calls, blocking, on a call thread: create a pod (and
 * its Secret when it has sealed variables), delete a pod, read a pod's log. A thrown exception is
 * the attempt's failure, classified by the caller.
 */
final class PodCalls {
  private final KubernetesClient client;
  private final String namespace;
  private final PodFactory podFactory;
  private final HostedPodFactory hostedPodFactory;
  /** Opens sealed values for the pods' Secrets; null: this node has no key (such a create fails). */
  private final Sealer sealer;
  private final GatewayMetrics metrics;

  PodCalls(KubernetesClient client, KubernetesSettings settings, PodFactory podFactory,
           HostedPodFactory hostedPodFactory, Sealer sealer, GatewayMetrics metrics) {
    this.client = client;
    this.namespace = settings.namespace();
    this.podFactory = podFactory;
    this.hostedPodFactory = hostedPodFactory;
    this.sealer = sealer;
    this.metrics = metrics;
  }

  /** Creates the pod with {@code dryRun=All}: the API server checks and answers it and stores nothing (the warm-up). */
  CallOutcome dryRunCreate(Pod pod) {
    client.pods().inNamespace(namespace).resource(pod).dryRun().create();
    return new CallOutcome.Done("dry run", null);
  }

  /** Creates the pod; a 409 for a pod of the same service (an earlier attempt whose answer was lost) is done too. */
  CallOutcome create(Pod pod, ServiceSpec spec) {
    ServiceId serviceId = spec.serviceId();
    boolean needsSecret = PodFactory.needsSecret(spec);
    Function<Pod, Secret> secretOf = made -> podFactory.secretFor(spec, made, secretValues(pod, spec.env()));
    Optional<CallOutcome> unopenable = unopenable(needsSecret, pod, spec.env());
    if (unopenable.isPresent()) {
      return unopenable.get();
    }
    return createOr(pod, created -> withSecret(needsSecret, created, secretOf, new CallOutcome.Done("created", null)),
        existing -> {
          var other = PodSnapshots.serviceIdOf(existing);
          if (other.isPresent() && other.get().equals(serviceId)) {
            return withSecret(needsSecret, existing, secretOf, new CallOutcome.Done("already existed", null));
          }
          Map<String, String> a = existing.getMetadata().getAnnotations();
          String owner = a == null ? "a pod without Tugboat annotations" : "simulator "
              + a.get(PodConventions.ANNOTATION_SIMULATOR_ID) + ", simulation "
              + a.get(PodConventions.ANNOTATION_SIMULATION_ID) + ", model " + a.get(PodConventions.ANNOTATION_MODEL_ID);
          return new CallOutcome.Fatal(409, "pod name collision with " + owner);
        });
  }

  /**
   * Creates a hosted service's replica pod (and its Secret when the service has sealed variables);
   * a 409 for a pod of the same service, slot and generation (an earlier attempt whose answer was
   * lost, or a create retried after a failover) is done too, any other pod of that name a fatal
   * collision.
   */
  CallOutcome createHosted(Pod pod, HostedSpec spec, int slot, long generation) {
    String service = spec.name();
    boolean needsSecret = HostedPodFactory.needsSecret(spec);
    Function<Pod, Secret> secretOf = made -> hostedPodFactory.secretFor(spec, slot, generation, made,
        secretValues(pod, spec.env()));
    Optional<CallOutcome> unopenable = unopenable(needsSecret, pod, spec.env());
    if (unopenable.isPresent()) {
      return unopenable.get();
    }
    return createOr(pod, created -> withSecret(needsSecret, created, secretOf, new CallOutcome.Done("created", null)),
        existing -> {
          var mine = HostedPodSnapshots.tryOf(existing)
              .filter(p -> p.service().equals(service) && p.slot() == slot && p.generation() == generation);
          if (mine.isPresent()) {
            return withSecret(needsSecret, existing, secretOf, new CallOutcome.Done("already existed", null));
          }
          return new CallOutcome.Fatal(409, "pod name collision: " + pod.getMetadata().getName()
              + " exists and is not replica " + slot + " (generation " + generation + ") of hosted service " + service);
        });
  }

  /**
   * Creates the pod and answers {@code created} with the created pod. On a 409 it reads the pod of
   * that name and answers {@code existing} with it (ours after a lost answer, or someone else's),
   * or a retry when that pod is gone by then (being deleted).
   */
  private CallOutcome createOr(Pod pod, Function<Pod, CallOutcome> created, Function<Pod, CallOutcome> existing) {
    String name = pod.getMetadata().getName();
    try {
      return created.apply(client.pods().inNamespace(namespace).resource(pod).create());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
    // 409: the pod exists. Ours (an earlier attempt whose answer was lost) or someone else's?
    Pod there;
    try {
      there = client.pods().inNamespace(namespace).withName(name).get();
      metrics.call(CallKind.GET, "ok");
    } catch (RuntimeException e) {
      metrics.call(CallKind.GET, ApiErrors.classify(e) instanceof CallOutcome.Retryable ? "retry" : "failed");
      throw e;
    }
    if (there == null) {
      return new CallOutcome.Retryable(409, "pod " + name + " existed but is gone now (being deleted)", Duration.ZERO);
    }
    return existing.apply(there);
  }

  /**
   * Once the pod exists: its Secret, when it has sealed variables ({@code needed}), made by
   * {@code secretOf} for that pod (owned by it, its uid). An existing Secret of that name is brought
   * up to date (a 409 on a retried create, or one left by an earlier pod of the same name that the
   * garbage collector has not deleted yet). A transient failure of the write throws, and the create
   * is retried as a whole (the pod's create then answers 409, ours). Any other failure (RBAC's 403,
   * a 422, a quota on Secrets) would leave the pod waiting in CreateContainerConfigError for good:
   * the pod is deleted and the create fails, so that its owner sees the failure and the pod's end.
   */
  private CallOutcome withSecret(boolean needed, Pod pod, Function<Pod, Secret> secretOf, CallOutcome.Done done) {
    if (!needed) {
      return done;
    }
    Secret secret = secretOf.apply(pod);
    try {
      client.secrets().inNamespace(namespace).resource(secret).createOr(NonDeletingOperation::update);
    } catch (KubernetesClientException e) {
      CallOutcome outcome = ApiErrors.classify(e);
      if (outcome instanceof CallOutcome.Retryable r && r.httpStatus() != 403) {
        throw e;
      }
      // A 403 "exceeded quota" here is a quota on Secrets: not the pods' quota admission waits on.
      int status = ApiErrors.code(e);
      String reason = outcome instanceof CallOutcome.Fatal f ? f.reason() : ((CallOutcome.Retryable) outcome).reason();
      return new CallOutcome.Fatal(status, "the pod's Secret could not be written (" + reason + "); "
          + deleteAfterSecretFailed(pod.getMetadata().getName()));
    }
    return new CallOutcome.Done(done.detail() + ", with its Secret", null);
  }

  /** Deletes the pod whose Secret could not be written; says how that went, for the create's failure. */
  private String deleteAfterSecretFailed(String name) {
    try {
      CallOutcome deleted = delete(name);
      metrics.call(CallKind.DELETE, "ok");
      return "its pod was " + ((CallOutcome.Done) deleted).detail();
    } catch (RuntimeException e) {
      metrics.call(CallKind.DELETE, "failed");
      return "its pod could not be deleted either (" + e.getMessage() + ") and is left to its owner";
    }
  }

  /**
   * The create's failure when the pod needs a Secret ({@code needed}) and this node cannot open the
   * sealed values of {@code env}, naming why; empty otherwise. Checked before the pod is made: a
   * pod whose Secret cannot be written would wait for it forever.
   */
  private Optional<CallOutcome> unopenable(boolean needed, Pod pod, List<dev.tugboat.protocol.EnvVar> env) {
    if (!needed) {
      return Optional.empty();
    }
    try {
      secretValues(pod, env);
      return Optional.empty();
    } catch (SealedValueException e) {
      return Optional.of(new CallOutcome.Fatal(0, e.getMessage()));
    }
  }

  /** The opened sealed values of {@code env}, for {@code pod}; SealedValueException without a key or another key. */
  private Map<String, String> secretValues(Pod pod, List<dev.tugboat.protocol.EnvVar> env) {
    if (sealer == null) {
      throw new SealedValueException("pod " + pod.getMetadata().getName() + " has sealed environment variables and"
          + " this node has no secret key to open them");
    }
    return sealer.secretValues(env);
  }

  /** Deletes the pod; one already gone is done too. */
  CallOutcome delete(String name) {
    try {
      var details = client.pods().inNamespace(namespace).withName(name).delete();
      return new CallOutcome.Done(details == null || details.isEmpty() ? "already gone" : "deleted", null);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return new CallOutcome.Done("already gone", null);
      }
      throw e;
    }
  }

  /** The last {@code tailLines} lines of the model container's log, as the payload. */
  CallOutcome readLog(String name, int tailLines) {
    // One GET of pods/{name}/log. fabric8's getLog() first waits for the pod to be ready with an
    // informer, a LIST and a WATCH per read outside the pipeline's limits; the container has ended.
    String log = client.raw("/api/v1/namespaces/" + namespace + "/pods/" + name + "/log?container="
        + PodConventions.CONTAINER_NAME + "&tailLines=" + tailLines, "GET", null);
    List<String> lines = log == null || log.isEmpty() ? List.of() : Arrays.asList(log.split("\\R", -1));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines = lines.subList(0, lines.size() - 1);
    }
    if (lines.size() > tailLines) {
      lines = lines.subList(lines.size() - tailLines, lines.size());
    }
    return new CallOutcome.Done("read", List.copyOf(lines));
  }
}
