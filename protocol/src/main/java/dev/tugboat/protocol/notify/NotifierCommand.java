package dev.tugboat.protocol.notify;

import dev.tugboat.protocol.Notification;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Commands of the lifecycle publisher (implemented by the MQTT bridge): publish one notification
 * to the SO and reply once the broker acknowledged it (QoS 1).
 */
public sealed interface NotifierCommand {

  /** Publish; {@code id} is echoed in the reply so the sender can match it to its outbox. */
  record Publish(long id, Notification notification, ActorRef<PublishResult> replyTo) implements NotifierCommand {}

  /** Messages the publisher sends itself; declared in the mqtt-bridge module. */
  non-sealed interface Private extends NotifierCommand {}
}
