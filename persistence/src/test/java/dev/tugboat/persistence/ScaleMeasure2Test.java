package dev.tugboat.persistence;

import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

class ScaleMeasure2Test {
  static final int N = 10_000;

  @Test
  void measure() {
    for (int every : new int[] {1_000_000}) {
      measure(every);
    }
  }

  void measure(int every) {
    Instant at = Instant.parse("2025-01-01T00:00:00Z");
    List<ModelSpec> models = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      models.add(new ModelSpec("m" + i, "registry/model:1", List.of(new EnvVar("A", "1"))));
    }
    ActorTestKit tk = ActorTestKit.create("Measure2x" + every, TestSupport.config());
    var notifier = tk.createTestProbe(NotifierCommand.class);
    var shard = tk.createTestProbe(ClusterSharding.ShardCommand.class);
    var replies = tk.createTestProbe(CommandReply.class);
    ProbeDirectory dir = new ProbeDirectory(tk);
    var sim = tk.spawn(SimulationEntity.create("sim-big", dir, notifier.ref(),
        withSnapshotEvery(TestSupport.settings(new MutableClock(at)), every), shard.ref()));
    long e0 = System.nanoTime();
    sim.tell(new SimulationCommand.Deploy("204-asd", models, 1.0, replies.ref()));
    replies.receiveMessage(Duration.ofSeconds(120));
    for (int b = 0; b < N; b += 1000) {
      for (int i = b; i < b + 1000; i++) {
        sim.tell(new SimulationCommand.ReportModelReady("m" + i, replies.ref()));
      }
      for (int i = b; i < b + 1000; i++) {
        replies.receiveMessage(Duration.ofSeconds(120));
      }
    }
    for (int b = 0; b < N; b += 1000) {
      for (int i = b; i < b + 1000; i++) {
        sim.tell(new SimulationCommand.ReportServiceTerminated("m" + i, TerminationStatus.SUCCEEDED, 0, "Completed",
            replies.ref()));
      }
      for (int i = b; i < b + 1000; i++) {
        replies.receiveMessage(Duration.ofSeconds(120));
      }
    }
    long e1 = System.nanoTime();
    System.out.println("MEASURE snapshotEvery=" + every + " entity spawned (deploy + " + N + " ready + " + N + " terminated): "
        + (e1 - e0) / 1_000_000 + " ms");
    tk.shutdownTestKit();
  }

  static EntitySettings withSnapshotEvery(EntitySettings s, int every) {
    return new EntitySettings(s.simulationTick(), s.serviceTick(), s.createRetryAfter(), s.createMaxAttempts(),
        s.podMissingGrace(), s.logTailLines(), s.reportRetry(), s.askTimeout(), s.outboxMaxInFlight(),
        s.deleteMaxAttempts(), s.lostNodeGrace(), s.holdOnFailure(), every, s.clock());
  }
}
