package dev.tugboat.protocol.service;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.ServiceId;

/** Reply to {@link ServiceCommand.Get}. */
public sealed interface ServiceReply extends CborSerializable {

  record Found(ServiceView service) implements ServiceReply {}

  record NotFound(ServiceId serviceId) implements ServiceReply {}
}
