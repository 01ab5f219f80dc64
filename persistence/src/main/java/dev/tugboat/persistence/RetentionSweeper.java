package dev.tugboat.persistence;

import com.typesafe.config.Config;
import dev.tugboat.persistence.SimulationMessages.CheckRetention;
import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.EntityDirectory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;

/**
 * Wakes the simulations whose ended-retention may be over: an ended simulation passivates and
 * nothing else would start it again. Every sweep interval it lists, a page at a time in id order,
 * the simulations whose last event is older than ended-retention ({@link JournalIds#idleSimulations})
 * and tells each {@link SimulationMessages.CheckRetention}; the simulation decides. One in the cluster
 * (Sharded Daemon Process).
 */
public final class RetentionSweeper {

  /** The sweeper's messages. */
  sealed interface Command extends CborSerializable {}

  /** Time for the next page. */
  enum Sweep implements Command { INSTANCE }

  /** A page of idle simulation ids (failure set when the query failed). */
  record Found(List<String> simulationIds, String failure) implements Command {}

  /** How often a page is swept and how many simulations a page holds, from {@code tugboat.entities}. */
  public record Settings(Duration interval, int batch) {
    public Settings {
      if (interval == null || interval.isNegative() || interval.isZero() || batch < 1) {
        throw new IllegalArgumentException("tugboat.entities.retention-sweep-interval must be positive and"
            + " retention-sweep-batch >= 1");
      }
    }

    /** Reads {@code tugboat.entities.retention-sweep-interval} and {@code retention-sweep-batch}. */
    public static Settings fromConfig(Config config) {
      return new Settings(config.getDuration("tugboat.entities.retention-sweep-interval"),
          config.getInt("tugboat.entities.retention-sweep-batch"));
    }
  }

  private RetentionSweeper() {}

  /** Starts the cluster's one sweeper (call on every node; Sharded Daemon Process runs it once). */
  public static void init(ActorSystem<?> system, EntityDirectory directory, EntitySettings entities,
      Settings settings, JournalQueries journal) {
    ShardedDaemonProcess.get(system).init(Command.class, "retention-sweeper", 1,
        i -> create(directory, journal.ids(), entities, settings), ShardedDaemonProcessSettings.create(system),
        Optional.empty());
  }

  static Behavior<Command> create(EntityDirectory directory, JournalIds ids, EntitySettings entities,
      Settings settings) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Sweep.INSTANCE, settings.interval());
      return idle(directory, ids, entities, settings, "");
    });
  }

  /** Waiting for the next sweep; {@code after} is the last id of the previous page ("" = from the start). */
  private static Behavior<Command> idle(EntityDirectory directory, JournalIds ids, EntitySettings entities,
      Settings settings, String after) {
    return Behaviors.setup(ctx -> Behaviors.receive(Command.class)
        .onMessageEquals(Sweep.INSTANCE, () -> {
          ctx.pipeToSelf(ids.idleSimulations(entities.clock().instant().minus(entities.endedRetention()), after,
                  settings.batch()),
              (page, failure) -> new Found(page, failure == null ? null : failure.getMessage()));
          return sweeping(directory, ids, entities, settings, after);
        })
        .onMessage(Found.class, f -> Behaviors.same())
        .build());
  }

  /** A page is being listed; further sweeps wait for it. */
  private static Behavior<Command> sweeping(EntityDirectory directory, JournalIds ids, EntitySettings entities,
      Settings settings, String after) {
    return Behaviors.setup(ctx -> Behaviors.receive(Command.class)
        .onMessageEquals(Sweep.INSTANCE, Behaviors::same)
        .onMessage(Found.class, found -> {
          if (found.failure() != null) {
            ctx.getLog().warn("retention sweep: listing idle simulations failed ({}); tried again next sweep",
                found.failure());
            return idle(directory, ids, entities, settings, after);
          }
          found.simulationIds().forEach(id -> directory.simulation(id).tell(CheckRetention.INSTANCE));
          if (!found.simulationIds().isEmpty()) {
            ctx.getLog().debug("retention sweep: asked {} idle simulation(s) to check their retention",
                found.simulationIds().size());
          }
          // A full page: the next sweep goes on after it; a short one: the next sweep starts over.
          String next = found.simulationIds().size() < settings.batch() ? ""
              : found.simulationIds().get(found.simulationIds().size() - 1);
          return idle(directory, ids, entities, settings, next);
        })
        .build());
  }
}
