package dev.tugboat.protocol;

import java.util.Objects;

/**
 * Identity of one deployed model (one pod): the simulation it belongs to and its model id.
 * {@link #entityId()} is the sharding entity id; it round-trips through {@link #fromEntityId}.
 */
public record ServiceId(String simulationId, String modelId) implements CborSerializable {

  /** Separator between the two ids; topic segments (and so both ids) never contain it. */
  public static final char SEPARATOR = '/';

  public ServiceId {
    Objects.requireNonNull(simulationId, "simulationId");
    Objects.requireNonNull(modelId, "modelId");
  }

  public String entityId() {
    return simulationId + SEPARATOR + modelId;
  }

  /** Parses an entity id made by {@link #entityId()}; throws IllegalArgumentException otherwise. */
  public static ServiceId fromEntityId(String entityId) {
    int i = entityId.indexOf(SEPARATOR);
    if (i <= 0 || i == entityId.length() - 1 || entityId.indexOf(SEPARATOR, i + 1) >= 0) {
      throw new IllegalArgumentException("not a service entity id: '" + entityId + "'");
    }
    return new ServiceId(entityId.substring(0, i), entityId.substring(i + 1));
  }

  @Override
  public String toString() {
    return entityId();
  }
}
