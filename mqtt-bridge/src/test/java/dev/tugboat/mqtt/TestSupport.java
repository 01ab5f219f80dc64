package dev.tugboat.mqtt;

import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceId;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.RecipientRef;

/** Shared test fixtures: settings, DOTS payloads, and an EntityDirectory of TestProbes. */
final class TestSupport {
  static final String SO = "dots-so";

  private TestSupport() {}

  static MqttSettings settings(int port, String clientId) {
    return new MqttSettings("127.0.0.1", port, "", "", SO, clientId, 1, 1000, Duration.ofSeconds(30),
        Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(5), 3, Duration.ofSeconds(10), "");
  }

  static Lifecycle.DeployModels deployModels(String simulatorId, double keepLogsHours, List<ModelSpec> models) {
    Lifecycle.DeployModels.Builder b = Lifecycle.DeployModels.newBuilder()
        .setSimulatorId(simulatorId)
        .setKeepLogsHours(keepLogsHours);
    for (ModelSpec m : models) {
      Lifecycle.ModelConfiguration.Builder mb = Lifecycle.ModelConfiguration.newBuilder()
          .setModelID(m.modelId())
          .setImageUrl(m.imageUrl());
      for (EnvVar e : m.env()) {
        mb.addEnvironmentVariables(Lifecycle.EnvironmentVariable.newBuilder().setName(e.name()).setValue(e.value()));
      }
      b.addModelConfigurations(mb);
    }
    return b.build();
  }

  /** Models with awkward env vars: empty values, '=' and spaces, non-ASCII, repeated names, order kept. */
  static List<ModelSpec> sampleModels() {
    return List.of(
        new ModelSpec("model-0", "ghcr.io/dots/fake-model:1.0", List.of(
            new EnvVar("EXIT_CODE", "0"),
            new EnvVar("EMPTY", ""),
            new EnvVar("WITH_EQUALS", "a=b c=d"),
            new EnvVar("UNICODE", "Grüße ✓"),
            new EnvVar("EMPTY", "again"))),
        new ModelSpec("model-1", "ghcr.io/dots/fake-model:1.0", List.of()));
  }

  /** Simulation refs are TestProbes, one per simulation id, created on first use. */
  static final class ProbeDirectory implements EntityDirectory {
    private final ActorTestKit testKit;
    private final Map<String, TestProbe<SimulationCommand>> simulations = new ConcurrentHashMap<>();
    private final TestProbe<ServiceCommand> services;

    ProbeDirectory(ActorTestKit testKit) {
      this.testKit = testKit;
      this.services = testKit.createTestProbe(ServiceCommand.class);
    }

    TestProbe<SimulationCommand> simulation$(String simulationId) {
      return simulations.computeIfAbsent(simulationId, id -> testKit.createTestProbe(SimulationCommand.class));
    }

    /** How many distinct simulations were addressed. */
    int addressed() {
      return simulations.size();
    }

    boolean wasAddressed(String simulationId) {
      return simulations.containsKey(simulationId);
    }

    @Override
    public RecipientRef<SimulationCommand> simulation(String simulationId) {
      return simulation$(simulationId).ref();
    }

    @Override
    public RecipientRef<ServiceCommand> service(ServiceId serviceId) {
      return services.ref();
    }

    @Override
    public RecipientRef<HostedCommand> hostedService(String name) {
      throw new AssertionError("the bridge looks up no hosted service");
    }
  }
}
