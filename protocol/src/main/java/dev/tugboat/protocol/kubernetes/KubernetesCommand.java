package dev.tugboat.protocol.kubernetes;

import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.hosted.HostedSpec;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Commands of the KubernetesGateway, the one actor per node that talks to the API server. It
 * serializes calls per pod, bounds their concurrency and rate, retries transient failures with
 * backoff, and replies only with a final outcome.
 */
public sealed interface KubernetesCommand {

  /** Create the pod for this service; an existing pod of the same service counts as success. */
  record CreatePod(ServiceSpec spec, ActorRef<PodCallResult> replyTo) implements KubernetesCommand {}

  /** Delete the pod; a pod that is already gone counts as success. */
  record DeletePod(String podName, ActorRef<PodCallResult> replyTo) implements KubernetesCommand {}

  /** Read the last {@code tailLines} lines of the model container's log. */
  record ReadPodLog(String podName, int tailLines, ActorRef<PodLogResult> replyTo) implements KubernetesCommand {}

  /** The pod as the informer cache holds it (no API call once the cache is synced). */
  record LookupPod(String podName, ActorRef<PodLookupResult> replyTo) implements KubernetesCommand {}

  /**
   * Every pod of this deployment (ownership label) that carries Tugboat's annotations, as the
   * informer cache holds it; no API call. For the reconciler that takes back orphaned pods.
   */
  record ListOwnPods(ActorRef<OwnPods> replyTo) implements KubernetesCommand {}

  /**
   * Create the pod of replica {@code slot} of a hosted service in its {@code generation}
   * ({@code HostedPodNames}); an existing pod of the same service, slot and generation counts as
   * success. Admitted like a model's pod (the admission limits count it).
   */
  record CreateHostedPod(HostedSpec spec, int slot, long generation, ActorRef<PodCallResult> replyTo)
      implements KubernetesCommand {}

  /** The hosted service's pods as the informer cache holds them (no API call). */
  record ListHostedPods(String service, ActorRef<HostedPods> replyTo) implements KubernetesCommand {}

  /** Messages the gateway sends itself; declared in the k8s module. */
  non-sealed interface Private extends KubernetesCommand {}
}
