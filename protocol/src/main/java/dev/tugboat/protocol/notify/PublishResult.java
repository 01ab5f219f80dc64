package dev.tugboat.protocol.notify;

import dev.tugboat.protocol.CborSerializable;

/** Outcome of one {@link NotifierCommand.Publish}. */
public sealed interface PublishResult extends CborSerializable {

  long id();

  /** The broker acknowledged the message. */
  record Published(long id) implements PublishResult {}

  /**
   * Not published. Unless {@code permanent}, the refusal may pass (not connected, no
   * acknowledgement, delivery failed): the sender keeps the notification and retries. A permanent
   * refusal (it cannot be encoded, or its topic cannot be carried by MQTT) would be the same on
   * every retry, so the sender gives the notification up. A reply written before the field
   * existed reads as not permanent.
   */
  record NotPublished(long id, String reason, boolean permanent) implements PublishResult {

    /** A refusal that may pass. */
    public NotPublished(long id, String reason) {
      this(id, reason, false);
    }

    /** A refusal that every retry would meet again. */
    public static NotPublished permanently(long id, String reason) {
      return new NotPublished(id, reason, true);
    }
  }
}
