package dev.tugboat.persistence;

import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.notify.NotifierCommand;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.noop.NoopCounter;
import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What every {@link SimulationEntity} of a node works with: where the services are, the settings,
 * the notification slices, the fast path (null: the projection publishes everything), the sealer
 * of secret environment values, the removal of its rows after ended-retention, and the counter of
 * abandoned notifications.
 */
public record SimulationWiring(EntityDirectory directory, EntitySettings settings, NotificationTags tags,
    FastPath fastPath, Sealer sealer, EntityRemoval removal, Counter abandoned) {

  /** Counts the notifications given up because they can never be published. */
  public static final String ABANDONED_METRIC = "tugboat.notifications.abandoned";

  /**
   * Where a simulation publishes its notifications at once (the node's notifier) and how long it
   * waits for each acknowledgement. Without one, the projection publishes everything.
   */
  public record FastPath(ActorRef<NotifierCommand> notifier, Duration publishTimeout) {
    public FastPath {
      Objects.requireNonNull(notifier, "notifier");
      if (publishTimeout == null || publishTimeout.isNegative() || publishTimeout.isZero()) {
        throw new IllegalArgumentException("the fast path's publish timeout must be positive, got " + publishTimeout);
      }
    }
  }

  public SimulationWiring {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(tags, "tags");
    Objects.requireNonNull(sealer, "sealer");
    Objects.requireNonNull(removal, "removal");
    Objects.requireNonNull(abandoned, "abandoned");
  }

  /** No fast path, no removal after ended-retention, abandoned notifications counted nowhere. */
  public static SimulationWiring of(EntityDirectory directory, EntitySettings settings, NotificationTags tags,
      Sealer sealer) {
    return new SimulationWiring(directory, settings, tags, null, sealer, ServiceEntity.NO_REMOVAL,
        new NoopCounter(new Meter.Id(ABANDONED_METRIC, Tags.empty(), null, null, Meter.Type.COUNTER)));
  }

  public SimulationWiring withFastPath(FastPath newFastPath) {
    return new SimulationWiring(directory, settings, tags, newFastPath, sealer, removal, abandoned);
  }

  public SimulationWiring withRemoval(EntityRemoval newRemoval) {
    return new SimulationWiring(directory, settings, tags, fastPath, sealer, newRemoval, abandoned);
  }

  public SimulationWiring withAbandonedCounter(Counter counter) {
    return new SimulationWiring(directory, settings, tags, fastPath, sealer, removal, counter);
  }

  /** {@value #ABANDONED_METRIC}, registered in {@code metrics}. */
  static Counter abandonedCounter(MeterRegistry metrics) {
    return Counter.builder(ABANDONED_METRIC)
        .description("notifications given up because the MQTT bridge can never publish them").register(metrics);
  }
}
