package dev.tugboat.persistence;

import dev.tugboat.protocol.CborSerializable;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages of the {@link SimulationEntity} that are not in the protocol: those of the
 * notification projection, the retention sweeper and the shard, and those it sends itself (timers,
 * answers to its asks). Commands, never journaled: a rename only costs the messages in flight
 * between nodes of different versions, which their senders send again.
 */
public final class SimulationMessages {

  private SimulationMessages() {}

  // ---------------------------------------------------------------- from the notification projection

  /**
   * The broker acknowledged these outbox entries. Replies Accepted once their NotificationDelivered
   * is journaled (ids no longer in the outbox count as done), Rejected for a simulation that does
   * not exist.
   */
  public record NotificationsDelivered(List<Long> outboxIds, ActorRef<CommandReply> replyTo)
      implements SimulationCommand.Private, CborSerializable {
    public NotificationsDelivered {
      outboxIds = List.copyOf(outboxIds);
    }
  }

  /**
   * The notifier refused these outbox entries permanently (they can never be published). Replies
   * Accepted once their NotificationAbandoned is journaled (ids no longer in the outbox count as
   * done), Rejected for a simulation that does not exist.
   */
  public record NotificationsAbandoned(List<Abandonment> abandoned, ActorRef<CommandReply> replyTo)
      implements SimulationCommand.Private, CborSerializable {
    public NotificationsAbandoned {
      abandoned = List.copyOf(abandoned);
    }
  }

  /** One outbox entry refused permanently, and the notifier's reason. */
  public record Abandonment(long outboxId, String reason) implements CborSerializable {}

  /**
   * Before the projection publishes a group: which of these outbox entries it must publish itself.
   * Answered once none of them is being published by the fast path: the entries still in the
   * outbox and not acknowledged to the fast path; from then on the fast path leaves them (and
   * every earlier entry) to the projection.
   */
  public record ClaimNotifications(List<Long> outboxIds, ActorRef<Claimed> replyTo)
      implements SimulationCommand.Private, CborSerializable {
    public ClaimNotifications {
      outboxIds = List.copyOf(outboxIds);
    }
  }

  /** The answer to {@link ClaimNotifications}: the outbox ids the projection publishes. */
  public record Claimed(List<Long> toPublish) implements CborSerializable {
    public Claimed {
      toPublish = List.copyOf(toPublish);
    }
  }

  // ---------------------------------------------------------------- from the sweeper and the shard

  /**
   * From the {@link RetentionSweeper}: this simulation has journaled nothing for ended-retention;
   * if it is Ended or Rejected, delivered, and its retention is over, it removes itself.
   */
  enum CheckRetention implements SimulationCommand.Private, CborSerializable { INSTANCE }

  /**
   * The shard's stop message when the entity passivates. It is queued behind the messages already
   * in the mailbox, so a report or record that arrived just before (e.g. the projection's
   * NotificationsDelivered, racing with the fast path emptying the outbox) is still handled and
   * answered, not dropped with the actor; a batch still buffered is written before the stop.
   */
  enum Stop implements SimulationCommand.Private, CborSerializable { INSTANCE }

  // ---------------------------------------------------------------- to itself

  /**
   * The simulation's periodic tick: re-sends unanswered Creates and gives up those past the create
   * deadline; an ended simulation passivates, or removes itself after ended-retention.
   */
  enum SimulationTick implements SimulationCommand.Private, CborSerializable { INSTANCE }

  /**
   * Every model has ended, some without reporting ready, and late-ready-grace has passed since:
   * AllModelsHaveTerminated is queued without ModelsReady.
   */
  enum LateReadyGraceOver implements SimulationCommand.Private, CborSerializable { INSTANCE }

  /**
   * An ended, delivered simulation has not been read for ended-idle: it passivates now (unless a
   * removal round started meanwhile).
   */
  enum EndedIdleOver implements SimulationCommand.Private, CborSerializable { INSTANCE }

  /** Persists every report and delivery buffered since the last flush, in one write. */
  enum Flush implements SimulationCommand.Private, CborSerializable { INSTANCE }

  /** A Service entity answered the simulation's Create (reply set) or the ask failed (failure set). */
  record ServiceAnsweredCreate(String modelId, CommandReply reply, String failure)
      implements SimulationCommand.Private, CborSerializable {}

  /** A Service entity answered the simulation's Terminate (reply set) or the ask failed (failure set). */
  record ServiceAnsweredStop(String modelId, CommandReply reply, String failure)
      implements SimulationCommand.Private, CborSerializable {}

  /** The notifier's answer to a fast-path publish (failure set when the ask failed). */
  record FastPublished(long outboxId, PublishResult result, String failure)
      implements SimulationCommand.Private, CborSerializable {}

  /** A service answered {@link ServiceEntity.Remove} (reply set) or the ask failed (failure set). */
  record ServiceRemoved(String modelId, CommandReply reply, String failure)
      implements SimulationCommand.Private, CborSerializable {}

  /** This simulation's own journal rows were removed (failure set when that failed). */
  record SimulationRemoved(int services, String failure) implements SimulationCommand.Private, CborSerializable {}
}
