package dev.tugboat.k8s.sim;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' garbage collector, for the one kind of dependent Tugboat makes: when a pod is
 * deleted, the Secrets whose ownerReferences name its uid are deleted too. Only pods whose
 * containers take environment from a Secret are looked at (no other pod can own one here), so
 * pods without secrets cost it no work. Runs on a thread of its own, off the store's lock.
 */
final class SimulatedGarbageCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedGarbageCollector.class);

  private final KubernetesClient client;
  private final String namespace;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tugboat-sim-garbage-collector");
    t.setDaemon(true);
    return t;
  });

  SimulatedGarbageCollector(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** A pod was deleted: its dependents go (asynchronously). */
  void ownerDeleted(Pod pod) {
    if (!takesSecretEnv(pod) || pod.getMetadata() == null || pod.getMetadata().getUid() == null) {
      return;
    }
    String uid = pod.getMetadata().getUid();
    executor.execute(() -> {
      try {
        for (Secret s : client.secrets().inNamespace(namespace).list().getItems()) {
          var owners = s.getMetadata().getOwnerReferences();
          if (owners != null && owners.stream().anyMatch(o -> uid.equals(o.getUid()))) {
            client.secrets().inNamespace(namespace).withName(s.getMetadata().getName()).delete();
          }
        }
      } catch (RuntimeException e) {
        LOG.warn("deleting the dependents of pod {} failed: {}", pod.getMetadata().getName(), e.toString());
      }
    });
  }

  private static boolean takesSecretEnv(Pod pod) {
    return pod.getSpec() != null && pod.getSpec().getContainers() != null
        && pod.getSpec().getContainers().stream().anyMatch(c -> c.getEnv() != null
            && c.getEnv().stream().anyMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null));
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
