package dev.tugboat.persistence;

import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;

/**
 * Work a fresh node does once before it says ready, so that its first simulation does not pay for
 * it: the CBOR serializers of the entities' events are built (a round trip of each kind through
 * Pekko serialization, in memory), and the journals' read path (connection pool, statements,
 * recovery) runs by recovering entities under persistence ids no entity can have. Only reads:
 * nothing is written to the journal.
 */
public final class JournalWarmUp {

  /**
   * Starts the entity ids recovered: no simulation or service entity id starts with '/' (ids hold
   * no '/', a service's is "{simulation}/{model}"), so no real entity is read.
   */
  private static final String ID_PREFIX = "/warm-up-";

  /** Numbers each run's actors, whose names must be unique while earlier ones may still be stopping. */
  private static final java.util.concurrent.atomic.AtomicLong RUNS = new java.util.concurrent.atomic.AtomicLong();

  private JournalWarmUp() {}

  /**
   * Runs the warm-up and waits for it, at most {@code timeout}; {@code recoveries} empty
   * recoveries of Service entities run at once (as a deployment starts its services), and two of
   * Simulation entities on their own journal.
   */
  public static void run(ActorSystem<?> system, int recoveries, Duration timeout) throws Exception {
    roundTrip(SerializationExtension.get(system));
    String simulationJournal = system.settings().config().getString(SimulationEntity.JOURNAL_PLUGIN_SETTING);
    String simulationSnapshots = simulationJournal.isEmpty() ? ""
        : system.settings().config().getString("tugboat.entities.simulation-snapshot-plugin");
    long run = RUNS.incrementAndGet();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int i = 0; i < recoveries; i++) {
      done.add(recover(system, run, PersistenceId.of(ServiceEntity.ENTITY_KEY.name(), ID_PREFIX + i), "", ""));
    }
    for (int i = 0; i < 2; i++) {
      done.add(recover(system, run, PersistenceId.of(SimulationEntity.ENTITY_KEY.name(), ID_PREFIX + i),
          simulationJournal, simulationSnapshots));
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Serializes and deserializes one event of each kind a deployment writes first. */
  private static void roundTrip(Serialization serialization) {
    Instant at = Instant.EPOCH;
    ServiceId id = new ServiceId("warm-up", "model");
    ServiceSpec spec = new ServiceSpec("simulator", id.simulationId(), id.modelId(), "image:latest",
        List.of(new EnvVar("NAME", "value")), 0.0, "pod");
    List<Object> events = List.of(
        new SimulationEvent.SimulationDeployed(id.simulationId(), "simulator", 0.0, List.of(spec), at),
        new SimulationEvent.ServiceCreateAcknowledged(id.simulationId(), id.modelId(), at),
        new SimulationEvent.ModelReady(id.simulationId(), id.modelId(), at),
        new SimulationEvent.ModelsReadyQueued(id.simulationId(), 1, at),
        new SimulationEvent.AllModelsHaveTerminatedQueued(id.simulationId(), 2, at),
        new SimulationEvent.NotificationDelivered(id.simulationId(), 1, at),
        new ServiceEvent.ServiceRequested(id, spec, at),
        new ServiceEvent.PodCreationStarted(id, "pod", at),
        new ServiceEvent.PodCreated(id, "pod", at),
        new ServiceEvent.PodRunning(id, "pod", at),
        new ServiceEvent.ServiceTerminated(id, "pod", TerminationStatus.SUCCEEDED, 0, "Completed", List.of("line"),
            at, at),
        new ServiceEvent.SimulationNotified(id, true, "", at),
        new ServiceEvent.PodDeleted(id, "pod", at));
    for (Object event : events) {
      byte[] bytes = serialization.serialize(event).get();
      var serializer = serialization.findSerializerFor(event);
      serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, event)).get();
    }
  }

  private static CompletableFuture<Void> recover(ActorSystem<?> system, long run, PersistenceId id, String journal,
      String snapshots) {
    CompletableFuture<Void> recovered = new CompletableFuture<>();
    system.systemActorOf(Behaviors.<Stop>setup(ctx -> new EmptyRecovery(id, journal, snapshots, recovered, ctx)),
        "journal-warm-up-" + run + "-" + id.entityTypeHint() + "-" + id.entityId().substring(ID_PREFIX.length()),
        Props.empty());
    return recovered;
  }

  /** The one command of {@link EmptyRecovery}: stop. */
  private enum Stop { INSTANCE }

  /** Recovers a persistence id that has no events, reports it, and stops; it never persists. */
  private static final class EmptyRecovery extends EventSourcedBehavior<Stop, Object, Integer> {
    private final String journal;
    private final String snapshots;
    private final CompletableFuture<Void> recovered;
    private final ActorContext<Stop> ctx;

    EmptyRecovery(PersistenceId id, String journal, String snapshots, CompletableFuture<Void> recovered,
        ActorContext<Stop> ctx) {
      super(id);
      this.journal = journal;
      this.snapshots = snapshots;
      this.recovered = recovered;
      this.ctx = ctx;
    }

    @Override
    public String journalPluginId() {
      return journal;
    }

    @Override
    public String snapshotPluginId() {
      return snapshots;
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Stop, Object, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState().onCommand(Stop.class, s -> Effect().stop()).build();
    }

    @Override
    public EventHandler<Integer, Object> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state + 1);
    }

    @Override
    public SignalHandler<Integer> signalHandler() {
      return newSignalHandlerBuilder()
          .onSignal(RecoveryCompleted.instance(), state -> {
            recovered.complete(null);
            ctx.getSelf().tell(Stop.INSTANCE);
          })
          .onSignal(RecoveryFailed.class, (state, failed) -> recovered.completeExceptionally(failed.getFailure()))
          .build();
    }
  }
}
