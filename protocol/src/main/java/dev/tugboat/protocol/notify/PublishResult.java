package dev.tugboat.protocol.notify;

import dev.tugboat.protocol.CborSerializable;

/** Outcome of one {@link NotifierCommand.Publish}. */
public sealed interface PublishResult extends CborSerializable {

  long id();

  /** The broker acknowledged the message. */
  record Published(long id) implements PublishResult {}

  /** Not published (not connected, or the broker refused); the sender keeps it and retries. */
  record NotPublished(long id, String reason) implements PublishResult {}
}
