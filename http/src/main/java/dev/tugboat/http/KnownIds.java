package dev.tugboat.http;

import dev.tugboat.protocol.ServiceId;
import java.util.concurrent.CompletionStage;

/**
 * Whether an id has an entity behind it, answered without starting one (node answers from the
 * journal tables). The routes ask it before they resolve an entity, so a request for an unknown id
 * costs one indexed query instead of an entity start and a journal recovery.
 */
public interface KnownIds {

  CompletionStage<Boolean> simulationExists(String simulationId);

  CompletionStage<Boolean> serviceExists(ServiceId serviceId);
}
