package dev.tugboat.protocol.hosted;

import dev.tugboat.protocol.CborSerializable;

/** Reply to {@link HostedCommand.Get}. */
public sealed interface HostedReply extends CborSerializable {

  record Found(HostedView service) implements HostedReply {}

  record NotFound(String name) implements HostedReply {}
}
