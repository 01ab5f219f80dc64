package dev.tugboat.persistence;

import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;

class ScaleMeasureTest {
  static final int N = 10_000;

  @Test
  void measure() {
    Instant at = Instant.parse("2025-01-01T00:00:00Z");
    List<ServiceSpec> specs = new ArrayList<>();
    List<ModelSpec> models = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      ModelSpec m = new ModelSpec("m" + i, "registry/model:1", List.of(new EnvVar("A", "1")));
      models.add(m);
      specs.add(ServiceSpec.of("204-asd", "sim-big", m, 1.0));
    }
    for (int round = 0; round < 3; round++) {
      long t0 = System.nanoTime();
      SimulationState s = new SimulationState.Empty("sim-big");
      s = SimulationState.apply(s, new SimulationEvent.SimulationDeployed("sim-big", "204-asd", 1.0, specs, at));
      long id = 1;
      for (int i = 0; i < N; i++) {
        s = SimulationState.apply(s, new SimulationEvent.ServiceCreateAcknowledged("sim-big", "m" + i, at));
      }
      for (int i = 0; i < N; i++) {
        s = SimulationState.apply(s, new SimulationEvent.ModelReady("sim-big", "m" + i, at));
      }
      Object mid = s;
      for (int i = 0; i < N; i++) {
        s = SimulationState.apply(s, new SimulationEvent.ModelTerminated("sim-big", "m" + i,
            TerminationStatus.SUCCEEDED, 0, "Completed", id++, at));
        if (i % 100 == 99) {
          for (long d = id - 100; d < id; d++) {
            s = SimulationState.apply(s, new SimulationEvent.NotificationDelivered("sim-big", d, at));
          }
        }
      }
      long t1 = System.nanoTime();
      System.out.println("MEASURE handler: " + (t1 - t0) / 1_000_000 + " ms for " + N + " models");
      if (round == 2) {
        ActorTestKit tk = ActorTestKit.create("Measure", TestSupport.config());
        var ser = SerializationExtension.get(tk.system());
        System.out.println("MEASURE snapshot bytes (all ready): " + ser.serialize(mid).get().length);
        var notifier = tk.createTestProbe(NotifierCommand.class);
        var shard = tk.createTestProbe(ClusterSharding.ShardCommand.class);
        ProbeDirectory dir = new ProbeDirectory(tk);
        var kit = EventSourcedBehaviorTestKit.<SimulationCommand, SimulationEvent, SimulationState>create(tk.system(),
            SimulationEntity.create("sim-big", dir, notifier.ref(),
                TestSupport.settings(new MutableClock(at)), shard.ref()),
            EventSourcedBehaviorTestKit.disabledSerializationSettings());
        long e0 = System.nanoTime();
        kit.<CommandReply>runCommand(r -> new SimulationCommand.Deploy("204-asd", models, 1.0, r));
        for (int i = 0; i < N; i++) {
          String mid2 = "m" + i;
          kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportModelReady(mid2, r));
        }
        for (int i = 0; i < N; i++) {
          String mid2 = "m" + i;
          kit.<CommandReply>runCommand(r -> new SimulationCommand.ReportServiceTerminated(mid2,
              TerminationStatus.SUCCEEDED, 0, "Completed", r));
        }
        long e1 = System.nanoTime();
        System.out.println("MEASURE entity (deploy + " + N + " ready + " + N + " terminated commands): "
            + (e1 - e0) / 1_000_000 + " ms");
        tk.shutdownTestKit();
      }
    }
  }
}
