package dev.tugboat.persistence;

import dev.tugboat.persistence.HostedEvent.DeletionStarted;
import dev.tugboat.persistence.HostedEvent.ReplicaFailed;
import dev.tugboat.persistence.HostedEvent.ReplicaRemoved;
import dev.tugboat.persistence.HostedEvent.ReplicaStarted;
import dev.tugboat.persistence.HostedState.Existing;
import dev.tugboat.protocol.hosted.HostedPodNames;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway calls a hosted service's persisted events call for, in the events' order: a new
 * replica's pod to create (and the slot's earlier pod to delete: a restart replaces it), a failed
 * or removed replica's pod to delete, and every pod of a deletion.
 */
final class HostedPodCalls {
  private HostedPodCalls() {}

  /** One call to the KubernetesGateway. */
  sealed interface Call {}

  /** Create the pod of {@code slot}'s {@code generation}. */
  record Create(int slot, long generation) implements Call {}

  /** Delete {@code pod}. */
  record Delete(String pod) implements Call {}

  /** The calls for {@code events}, persisted from {@code before} to {@code after}. */
  static List<Call> after(String name, HostedState before, HostedState after, List<HostedEvent> events) {
    List<Call> calls = new ArrayList<>();
    for (HostedEvent e : events) {
      if (e instanceof ReplicaStarted rs && after instanceof Existing) {
        calls.add(new Create(rs.slot(), rs.generation()));
        if (before instanceof Existing b) {
          // A failed earlier pod is deleted already; one replaced by a restart is deleted here.
          b.replicas().slot(rs.slot()).filter(old -> old.generation() < rs.generation())
              .ifPresent(old -> calls.add(new Delete(old.podName(name))));
        }
      } else if (e instanceof ReplicaFailed f) {
        calls.add(new Delete(HostedPodNames.podName(name, f.slot(), f.generation())));
      } else if (e instanceof ReplicaRemoved r) {
        calls.add(new Delete(r.podName()));
      } else if (e instanceof DeletionStarted d) {
        d.pods().forEach(p -> calls.add(new Delete(p)));
      }
    }
    return calls;
  }
}
