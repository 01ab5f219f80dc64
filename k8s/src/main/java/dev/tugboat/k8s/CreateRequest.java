package dev.tugboat.k8s;

import dev.tugboat.protocol.kubernetes.PodCallResult;
import org.apache.pekko.actor.typed.ActorRef;

/** A create as asked of the gateway: seq orders the admission queue (first asked, first admitted). */
record CreateRequest(PodOrder order, ActorRef<PodCallResult> replyTo, long seq) implements Admission.Ask {

  /** The same create asked again (same place in the queue); the latest asker gets the outcome. */
  CreateRequest askedAgainBy(ActorRef<PodCallResult> newReplyTo, PodOrder newOrder) {
    return new CreateRequest(newOrder, newReplyTo, seq);
  }

  @Override
  public String podName() {
    return order.podName();
  }

  @Override
  public String simulationId() {
    return order.turn();
  }
}
