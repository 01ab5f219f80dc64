package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Simulation of thousands of models receives thousands of reports while one of its writes is in
 * flight; the event-sourced behavior stashes them and, after the write, handles them one by one,
 * none of them persisting on its own (first reports are buffered for the next batch, repeats are
 * answered at once). Pekko before 1.2 did that recursively, one stack level per stashed command,
 * and a stash of ~1,000 such commands overflowed the stack and stopped the JVM (apache/pekko#1327,
 * found by KubernetesPressureIT with 10,000 models).
 */
class SimulationStashBurstTest {
  /** Below the stash capacity (4096), above what the recursive unstash survived (~1,000). */
  private static final int MODELS = 4_000;

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    // A fatal error must fail this test, not stop the test JVM.
    testKit = ActorTestKit.create("SimulationStashBurstTest",
        ConfigFactory.parseString("pekko.jvm-exit-on-fatal-error = off").withFallback(TestSupport.config()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Holds the first journal write of one persistence id until released; later writes pass. */
  private static final class HoldFirstWrite implements ProcessingPolicy<JournalOperation> {
    private final String persistenceId;
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    HoldFirstWrite(String persistenceId) {
      this.persistenceId = persistenceId;
    }

    @Override
    public ProcessingResult tryProcess(String pid, JournalOperation op) {
      if (pid.equals(persistenceId) && op instanceof WriteEvents && entered.getCount() > 0) {
        entered.countDown();
        try {
          released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return ProcessingSuccess.getInstance();
    }
  }

  @Test
  void thousandsOfReportsStashedDuringOneWriteAreAllAnswered() throws InterruptedException {
    String simulationId = "stash-burst";
    ProbeDirectory directory = new ProbeDirectory(testKit);
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe(ClusterSharding.ShardCommand.class);
    ActorRef<SimulationCommand> entity = testKit.spawn(SimulationEntity.create(simulationId,
        SimulationWiring.of(directory, TestSupport.settings(new MutableClock(Instant.parse("2025-01-01T00:00:00Z"))),
            new NotificationTags(4), TestSupport.sealer()), shard.ref()));
    List<ModelSpec> models = new ArrayList<>();
    for (int i = 0; i < MODELS; i++) {
      models.add(new ModelSpec("m" + i, "registry/model:1", List.of()));
    }
    TestProbe<CommandReply> deployed = testKit.createTestProbe(CommandReply.class);
    entity.tell(new SimulationCommand.Deploy("204-asd", models, 1.0, deployed.ref()));
    deployed.expectMessageClass(CommandReply.Accepted.class, Duration.ofSeconds(30));

    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    HoldFirstWrite hold = new HoldFirstWrite("Simulation|" + simulationId);
    journal.withPolicy(hold);
    try {
      TestProbe<CommandReply> first = testKit.createTestProbe(CommandReply.class);
      entity.tell(new SimulationCommand.ReportModelReady("m0", first.ref()));
      assertTrue(hold.entered.await(10, TimeUnit.SECONDS), "no journal write");
      // The entity is writing m0's readiness: all of these are stashed.
      TestProbe<CommandReply> reporters = testKit.createTestProbe(CommandReply.class);
      for (int i = 0; i < MODELS; i++) {
        entity.tell(new SimulationCommand.ReportModelReady("m" + i, reporters.ref()));
      }
      hold.released.countDown();
      assertEquals(CommandReply.accepted(), first.receiveMessage(Duration.ofSeconds(10)));

      List<CommandReply> replies = reporters.receiveSeveralMessages(MODELS, Duration.ofSeconds(30));
      assertEquals(MODELS - 1, replies.stream().filter(CommandReply.accepted()::equals).count());
      assertEquals(new CommandReply.Accepted("already ready"), replies.get(0));
      // ModelsReady is queued exactly once (the notification projection publishes it from the journal).
      long queued = journal.persistedInStorage("Simulation|" + simulationId).stream()
          .filter(e -> e instanceof SimulationEvent.ModelsReadyQueued).count();
      assertEquals(1, queued);
    } finally {
      journal.resetPolicy();
    }
    testKit.stop(entity);
  }
}
