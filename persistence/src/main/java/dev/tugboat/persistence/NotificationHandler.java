package dev.tugboat.persistence;

import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.DeploymentRejected;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationMessages.Abandonment;
import dev.tugboat.persistence.SimulationMessages.ClaimNotifications;
import dev.tugboat.persistence.SimulationMessages.Claimed;
import dev.tugboat.persistence.SimulationMessages.NotificationsAbandoned;
import dev.tugboat.persistence.SimulationMessages.NotificationsDelivered;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notification projection's handler for one group of tagged Simulation events. It first asks
 * each simulation of the group which of its entries are still to be published
 * ({@link SimulationMessages.ClaimNotifications}: a simulation with a fast path has usually
 * published them already), publishes those through the notifier (QoS 1) in journal order, waits
 * for every broker acknowledgement, then tells each simulation which outbox entries were
 * delivered and waits for it to journal that. Only then does the returned stage complete, and
 * only then does the projection store the offset, so a crash anywhere before re-publishes what
 * was not recorded (at least once). AllModelsHaveTerminated is published only after everything
 * before it in the group was acknowledged (earlier groups were acknowledged before this one
 * started). A notification the notifier refuses permanently (it can never be published) is given
 * up: its simulation is told {@link SimulationMessages.NotificationsAbandoned} instead, it counts as
 * settled for the AllModelsHaveTerminated after it, and the group goes on. Any other refused or
 * unanswered publish, or an unanswered claim, fails the group, and the projection restarts from
 * the stored offset.
 */
public final class NotificationHandler extends Handler<List<EventEnvelope<SimulationEvent>>> {

  private static final Logger log = LoggerFactory.getLogger(NotificationHandler.class);

  /** One notification owed to the SO, with the outbox entry it came from. */
  record Owed(String simulationId, Outbox.Entry entry) {}

  /** An owed notification the notifier refused permanently, with its reason. */
  record Abandoned(Owed owed, String reason) {}

  /**
   * The notifier refused a publish or did not answer; the group is retried after a restart. An
   * expected condition (the broker is away), so it carries no stack trace into the restart's log.
   */
  static final class NotPublishedException extends RuntimeException {
    NotPublishedException(String message) {
      super(message, null, false, false);
    }
  }

  private final ActorRef<NotifierCommand> notifier;
  private final EntityDirectory directory;
  private final NotificationSettings settings;
  private final Scheduler scheduler;
  private final String tag;
  private final TagPruner pruner;
  /** The highest delivered ordering whose tag rows should go; the pruner works towards it, one DELETE at a time. */
  private final AtomicLong pruneTarget = new AtomicLong(-1);
  private final AtomicLong pruneAttempted = new AtomicLong(-1);
  private final AtomicBoolean pruning = new AtomicBoolean();

  /** A handler that leaves the tag rows of delivered events in place. */
  public NotificationHandler(ActorRef<NotifierCommand> notifier, EntityDirectory directory,
      NotificationSettings settings, Scheduler scheduler) {
    this(notifier, directory, settings, scheduler, null, null);
  }

  /** A handler of slice {@code tag} whose delivered groups' tag rows {@code pruner} removes (see {@link TagPruner}). */
  NotificationHandler(ActorRef<NotifierCommand> notifier, EntityDirectory directory, NotificationSettings settings,
      Scheduler scheduler, String tag, TagPruner pruner) {
    this.notifier = notifier;
    this.directory = directory;
    this.settings = settings;
    this.scheduler = scheduler;
    this.tag = tag;
    this.pruner = pruner;
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<SimulationEvent>> envelopes) {
    return deliver(envelopes).thenApply(done -> {
      prune(envelopes);
      return done;
    });
  }

  private CompletionStage<Done> deliver(List<EventEnvelope<SimulationEvent>> envelopes) {
    if (log.isDebugEnabled() && !envelopes.isEmpty()) {
      long now = System.currentTimeMillis();
      log.debug("slice {}: group of {} event(s), journaled {} to {} ms ago", tag, envelopes.size(),
          now - envelopes.get(envelopes.size() - 1).timestamp(), now - envelopes.get(0).timestamp());
    }
    List<Owed> owed = new ArrayList<>();
    for (EventEnvelope<SimulationEvent> envelope : envelopes) {
      SimulationEvent event = envelope.event();
      for (Outbox.Entry entry : notificationsQueuedBy(event)) {
        owed.add(new Owed(event.simulationId(), entry));
      }
    }
    if (owed.isEmpty()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    long start = System.nanoTime();
    long[] acknowledged = new long[1];
    int[] publishedCount = new int[1];
    Queue<Owed> acked = new ConcurrentLinkedQueue<>();
    Queue<Abandoned> abandoned = new ConcurrentLinkedQueue<>();
    return claim(owed)
        .thenCompose(toPublish -> {
          publishedCount[0] = toPublish.size();
          CompletableFuture<Void> published = CompletableFuture.completedFuture(null);
          for (List<Owed> segment : segments(toPublish)) {
            published = published.thenCompose(ignored -> publishAll(segment, acked, abandoned));
          }
          return published;
        })
        .exceptionallyCompose(failure -> recordSettledThenFail(acked, abandoned, failure))
        .thenCompose(ignored -> {
          acknowledged[0] = System.nanoTime();
          List<Abandoned> givenUp = List.copyOf(abandoned);
          return record(withoutAbandoned(owed, givenUp), givenUp);
        })
        .thenApply(ignored -> {
          log.debug("slice {}: {} of {} notification(s) published here (the rest by the simulations' fast path), "
              + "claimed and acknowledged after {} ms, recorded by the simulations {} ms later", tag, publishedCount[0],
              owed.size(), (acknowledged[0] - start) / 1_000_000, (System.nanoTime() - acknowledged[0]) / 1_000_000);
          return Done.getInstance();
        });
  }

  /**
   * Asks each simulation of the group which of its entries this handler must publish (those it
   * has not had acknowledged through its fast path); completes with them, in group order.
   */
  private CompletableFuture<List<Owed>> claim(List<Owed> owed) {
    Map<String, List<Long>> bySimulation = idsBySimulation(owed);
    Map<String, CompletableFuture<Claimed>> claims = new LinkedHashMap<>();
    bySimulation.forEach((simulationId, ids) -> claims.put(simulationId,
        AskPattern.<SimulationCommand, Claimed>ask(
                directory.simulation(simulationId), replyTo -> new ClaimNotifications(ids, replyTo),
                // The simulation answers once its own publishes of these ids are answered.
                settings.publishTimeout().plus(settings.markTimeout()), scheduler)
            .toCompletableFuture()));
    return CompletableFuture.allOf(claims.values().toArray(CompletableFuture<?>[]::new)).thenApply(ignored -> {
      Map<String, Set<Long>> mine = new HashMap<>();
      claims.forEach((simulationId, claimed) -> mine.put(simulationId, Set.copyOf(claimed.join().toPublish())));
      List<Owed> toPublish = new ArrayList<>();
      for (Owed o : owed) {
        if (mine.getOrDefault(o.simulationId(), Set.of()).contains(o.entry().id())) {
          toPublish.add(o);
        }
      }
      return toPublish;
    });
  }

  private static Map<String, List<Long>> idsBySimulation(List<Owed> owed) {
    Map<String, List<Long>> bySimulation = new LinkedHashMap<>();
    for (Owed o : owed) {
      bySimulation.computeIfAbsent(o.simulationId(), k -> new ArrayList<>()).add(o.entry().id());
    }
    return bySimulation;
  }

  /**
   * Once a group is delivered, its tag rows may go. The DELETE runs beside the next groups (it
   * does not hold the offset back); while one runs, later groups only raise the target, and the
   * next DELETE covers them all. A failed DELETE is tried again with the next group.
   */
  private void prune(List<EventEnvelope<SimulationEvent>> envelopes) {
    if (pruner == null) {
      return;
    }
    long upTo = -1;
    for (EventEnvelope<SimulationEvent> envelope : envelopes) {
      if (envelope.offset() instanceof Sequence s) {
        upTo = Math.max(upTo, s.value());
      }
    }
    pruneTarget.accumulateAndGet(upTo, Math::max);
    drainPrune();
  }

  private void drainPrune() {
    long target = pruneTarget.get();
    if (target <= pruneAttempted.get() || !pruning.compareAndSet(false, true)) {
      return;
    }
    pruneAttempted.set(target);
    pruner.prune(tag, target).whenComplete((deleted, failure) -> {
      pruning.set(false);
      if (failure == null) {
        drainPrune();
      }
    });
  }

  /** True for the events that queue notifications (and so carry a notification tag). */
  static boolean queuesNotifications(SimulationEvent event) {
    return event instanceof ModelsReadyQueued || event instanceof ModelTerminated
        || event instanceof AllModelsHaveTerminatedQueued || event instanceof DeploymentRejected;
  }

  /** The outbox entries an event queues, exactly as {@link SimulationState#apply} queues them. */
  static List<Outbox.Entry> notificationsQueuedBy(SimulationEvent event) {
    if (event instanceof ModelsReadyQueued e) {
      return List.of(new Outbox.Entry(e.outboxId(), new Notification.ModelsReady(e.simulationId())));
    }
    if (event instanceof ModelTerminated e) {
      return List.of(new Outbox.Entry(e.outboxId(),
          new Notification.ModelHasTerminated(e.simulationId(), e.modelId(), e.status(), e.exitCode())));
    }
    if (event instanceof AllModelsHaveTerminatedQueued e) {
      return List.of(new Outbox.Entry(e.outboxId(), new Notification.AllModelsHaveTerminated(e.simulationId())));
    }
    if (event instanceof DeploymentRejected e) {
      // The first event of a rejected simulation: its outbox starts at id 1.
      List<Outbox.Entry> entries = new ArrayList<>();
      long id = Outbox.empty().nextId();
      for (String modelId : e.modelIds()) {
        entries.add(new Outbox.Entry(id++, new Notification.ModelHasTerminated(e.simulationId(), modelId,
            TerminationStatus.FAILED, ExitCodes.INVALID_CONFIGURATION)));
      }
      entries.add(new Outbox.Entry(id, new Notification.AllModelsHaveTerminated(e.simulationId())));
      return entries;
    }
    return List.of();
  }

  /**
   * Splits the group into runs published one after the other: each AllModelsHaveTerminated is a
   * run of its own, so it waits for the acknowledgements of everything before it; the other
   * notifications go out together, in order.
   */
  static List<List<Owed>> segments(List<Owed> owed) {
    List<List<Owed>> segments = new ArrayList<>();
    List<Owed> current = new ArrayList<>();
    for (Owed o : owed) {
      if (o.entry().notification() instanceof Notification.AllModelsHaveTerminated) {
        if (!current.isEmpty()) {
          segments.add(current);
          current = new ArrayList<>();
        }
        segments.add(List.of(o));
      } else {
        current.add(o);
      }
    }
    if (!current.isEmpty()) {
      segments.add(current);
    }
    return segments;
  }

  /**
   * Sends every publish of the run at once (in order) and completes when all were acknowledged or
   * refused permanently; each acknowledged entry is added to {@code acked}, each refused one to
   * {@code abandoned}.
   */
  private CompletableFuture<Void> publishAll(List<Owed> run, Queue<Owed> acked, Queue<Abandoned> abandoned) {
    CompletableFuture<?>[] acks = new CompletableFuture<?>[run.size()];
    for (int i = 0; i < run.size(); i++) {
      Owed o = run.get(i);
      acks[i] = publish(o).thenAccept(refusal -> {
        if (refusal.isPresent()) {
          abandoned.add(new Abandoned(o, refusal.get()));
        } else {
          acked.add(o);
        }
      });
    }
    return CompletableFuture.allOf(acks);
  }

  /** The owed entries of the group that were not given up: acknowledged here or on the fast path. */
  private static List<Owed> withoutAbandoned(List<Owed> owed, List<Abandoned> abandoned) {
    if (abandoned.isEmpty()) {
      return owed;
    }
    Set<Owed> givenUp = new HashSet<>();
    abandoned.forEach(a -> givenUp.add(a.owed()));
    return owed.stream().filter(o -> !givenUp.contains(o)).toList();
  }

  /** Tells each simulation what was delivered and what was given up; completes once all journaled it. */
  private CompletableFuture<Void> record(List<Owed> delivered, List<Abandoned> abandoned) {
    return CompletableFuture.allOf(markDelivered(delivered), markAbandoned(abandoned));
  }

  /**
   * A publish of the group failed, so the group is retried from its offset. The entries the
   * broker did acknowledge are recorded as delivered first: the retry's claim then leaves them
   * out instead of sending them a second time (a node that started before its publisher had
   * connected sent part of a group twice). The entries refused permanently are recorded as
   * abandoned too, so the retry does not meet them again. Fails with {@code failure} whatever the
   * record's outcome. Every publish of the failed run has completed by now (allOf), and later runs
   * never started.
   */
  private CompletableFuture<Void> recordSettledThenFail(Queue<Owed> acked, Queue<Abandoned> abandoned,
      Throwable failure) {
    List<Owed> delivered = List.copyOf(acked);
    List<Abandoned> givenUp = List.copyOf(abandoned);
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    log.warn("slice {}: notifications not published, the group is retried after the restart backoff ({} of it "
        + "acknowledged, {} given up): {}", tag, delivered.size(), givenUp.size(), cause.getMessage());
    CompletableFuture<Void> recorded = delivered.isEmpty() && givenUp.isEmpty()
        ? CompletableFuture.completedFuture(null) : record(delivered, givenUp);
    return recorded.handle((ignored, recordFailure) -> {
      if (recordFailure != null) {
        // Not fatal: the retry then publishes these again (at-least-once, a bounded duplicate).
        log.warn("slice {}: recording {} acknowledged notification(s) before the retry failed ({}); the retry "
            + "publishes them again", tag, delivered.size(), recordFailure.toString());
      }
      throw failure instanceof CompletionException c ? c : new CompletionException(failure);
    });
  }

  /**
   * Publishes one entry: completes empty once the broker acknowledged it, with the reason when the
   * notifier refused it permanently, and fails for any other refusal or no answer.
   */
  private CompletableFuture<Optional<String>> publish(Owed owed) {
    Outbox.Entry entry = owed.entry();
    return AskPattern.<NotifierCommand, PublishResult>ask(notifier,
            replyTo -> new NotifierCommand.Publish(entry.id(), entry.notification(), replyTo),
            settings.publishTimeout(), scheduler)
        .toCompletableFuture()
        .handle((result, failure) -> {
          if (result instanceof PublishResult.Published) {
            return Optional.<String>empty();
          }
          if (result instanceof PublishResult.NotPublished np && np.permanent()) {
            // Its simulation logs it at ERROR once the abandonment is journaled.
            log.debug("simulation {}: {} (outbox id {}) can never be published, given up: {}",
                Ids.printable(owed.simulationId()), entry.notification().getClass().getSimpleName(), entry.id(),
                np.reason());
            return Optional.of(np.reason());
          }
          String reason = failure != null ? String.valueOf(failure.getMessage())
              : result instanceof PublishResult.NotPublished np ? np.reason() : String.valueOf(result);
          // One WARN per failed group follows (recordSettledThenFail); each entry only at DEBUG.
          log.debug("simulation {}: {} (outbox id {}) not published, the group is retried: {}", owed.simulationId(),
              entry.notification().getClass().getSimpleName(), entry.id(), reason);
          throw new NotPublishedException("simulation " + owed.simulationId() + " outbox id " + entry.id()
              + " not published: " + reason);
        });
  }

  /** Tells each simulation of the group its abandoned ids; completes once every one has journaled them. */
  private CompletableFuture<Void> markAbandoned(List<Abandoned> abandoned) {
    Map<String, List<Abandonment>> bySimulation = new LinkedHashMap<>();
    for (Abandoned a : abandoned) {
      bySimulation.computeIfAbsent(a.owed().simulationId(), k -> new ArrayList<>())
          .add(new Abandonment(a.owed().entry().id(), a.reason()));
    }
    List<CompletableFuture<CommandReply>> replies = new ArrayList<>();
    bySimulation.forEach((simulationId, entries) -> replies.add(
        AskPattern.<SimulationCommand, CommandReply>ask(
                directory.simulation(simulationId), replyTo -> new NotificationsAbandoned(entries, replyTo),
                settings.markTimeout(), scheduler)
            .toCompletableFuture()
            .whenComplete((reply, failure) -> {
              if (reply instanceof CommandReply.Rejected r) {
                log.warn("simulation {}: abandoned notifications not recorded: {}", Ids.printable(simulationId),
                    r.reason());
              }
            })));
    return CompletableFuture.allOf(replies.toArray(CompletableFuture<?>[]::new));
  }

  /** Tells each simulation of the group its delivered ids; completes once every one has journaled them. */
  private CompletableFuture<Void> markDelivered(List<Owed> owed) {
    Map<String, List<Long>> bySimulation = idsBySimulation(owed);
    List<CompletableFuture<CommandReply>> replies = new ArrayList<>();
    bySimulation.forEach((simulationId, ids) -> replies.add(
        AskPattern.<SimulationCommand, CommandReply>ask(
                directory.simulation(simulationId), replyTo -> new NotificationsDelivered(ids, replyTo),
                settings.markTimeout(), scheduler)
            .toCompletableFuture()
            .whenComplete((reply, failure) -> {
              if (reply instanceof CommandReply.Rejected r) {
                log.warn("simulation {}: delivered notifications not recorded: {}", simulationId, r.reason());
              }
            })));
    return CompletableFuture.allOf(replies.toArray(CompletableFuture<?>[]::new));
  }
}
