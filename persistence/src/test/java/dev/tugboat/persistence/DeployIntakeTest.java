package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tugboat.persistence.SimulationEvent.DeploymentRejected;
import dev.tugboat.persistence.SimulationEvent.SimulationDeployed;
import dev.tugboat.persistence.SimulationState.Active;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.SecretEnvNames;
import dev.tugboat.protocol.SecretKey;
import dev.tugboat.protocol.simulation.SimulationCommand.Deploy;
import dev.tugboat.protocol.simulation.SimulationCommand.RefuseDeploy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DeployIntakeTest {
  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
  private static final Sealer SEALER = TestSupport.sealer();

  private static DeployIntake intake(String simulationId, Sealer sealer) {
    return new DeployIntake(simulationId, DeployLimits.DEFAULT, sealer,
        LoggerFactory.getLogger(DeployIntakeTest.class));
  }

  private static Deploy deploy(String image, String password) {
    return new Deploy("204-asd", List.of(new ModelSpec("m0", image,
        List.of(new EnvVar("MQTT_HOST", "broker"), new EnvVar("MQTT_PASSWORD", password)))), 1.0, null);
  }

  @Test
  void aValidDeployIsJournaledWithItsSecretValuesSealed() {
    DeployIntake.Decision d = intake("sim-1", SEALER).deploy(deploy("registry/model:1", "hunter2"), NOW);
    assertEquals(CommandReply.accepted(), d.reply());
    SimulationDeployed deployed = assertInstanceOf(SimulationDeployed.class, d.event().orElseThrow());
    EnvVar password = deployed.services().get(0).env().get(1);
    assertNotEquals("hunter2", password.value());
    assertEquals("hunter2", SEALER.open(password));
    assertEquals(new EnvVar("MQTT_HOST", "broker"), deployed.services().get(0).env().get(0));
  }

  @Test
  void anInvalidDeployIsJournaledAsARejectionOfItsValidModels() {
    DeployIntake.Decision d = intake("sim-1", SEALER).deploy(deploy("not an image", "x"), NOW);
    DeploymentRejected rejected = assertInstanceOf(DeploymentRejected.class, d.event().orElseThrow());
    assertEquals(List.of("m0"), rejected.modelIds());
    assertEquals(new CommandReply.Rejected(rejected.reason()), d.reply());
    assertTrue(rejected.reason().contains("not a valid image reference"), rejected.reason());
  }

  @Test
  void aSimulationIdThatCannotBeJournaledJournalsNothing() {
    DeployIntake bad = intake("a/b", SEALER);
    DeployIntake.Decision d = bad.deploy(deploy("registry/model:1", "x"), NOW);
    assertTrue(d.event().isEmpty());
    assertEquals(new CommandReply.Rejected("simulationId 'a/b' contains the MQTT topic character '/'"), d.reply());
    assertTrue(bad.refuse(new RefuseDeploy("204-asd", "too large", null), NOW).event().isEmpty());
  }

  @Test
  void aRefusedDeployIsJournaledWithoutModelsAndWithoutAnUnusableSimulatorId() {
    DeployIntake.Decision d = intake("sim-1", SEALER).refuse(new RefuseDeploy("bad/so", "too large", null), NOW);
    assertEquals(new DeploymentRejected("sim-1", "", "too large", List.of(), NOW), d.event().orElseThrow());
    assertEquals(new CommandReply.Rejected("too large"), d.reply());
    assertEquals(new CommandReply.Rejected("simulation already exists; this DeployModels was refused: too large"),
        intake("sim-1", SEALER).refuseExisting(new RefuseDeploy("204-asd", "too large", null)));
  }

  @Test
  void aReSentDeployIsComparedByWhatItsSealedValuesOpenTo() {
    DeployIntake intake = intake("sim-1", SEALER);
    SimulationEvent deployed = intake.deploy(deploy("registry/model:1", "hunter2"), NOW).event().orElseThrow();
    Active state = (Active) SimulationState.apply(new SimulationState.Empty("sim-1"), deployed);
    assertEquals(new CommandReply.Duplicate("already deployed"),
        intake.redeploy(state.deployment(), deploy("registry/model:1", "hunter2")));
    assertEquals(new CommandReply.Conflict("simulation already deployed with different content"),
        intake.redeploy(state.deployment(), deploy("registry/model:1", "other")));
    assertEquals(new CommandReply.Conflict("simulation already deployed with different content"),
        intake.redeploy(state.deployment(), deploy("registry/model:2", "hunter2")));
    DeployIntake otherKey = intake("sim-1", new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate()));
    CommandReply reply = otherKey.redeploy(state.deployment(), deploy("registry/model:1", "hunter2"));
    assertInstanceOf(CommandReply.Conflict.class, reply);
    assertTrue(((CommandReply.Conflict) reply).reason().startsWith("simulation already deployed; "), reply.toString());
  }

  @Test
  void aRepeatedDeployLogsOneWarningNamingTheSimulationAndNoSecret() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("DeployIntakeTest.repeated");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      DeployIntake intake = new DeployIntake("sim-1", DeployLimits.DEFAULT, SEALER, logger);
      SimulationEvent deployed = intake.deploy(deploy("registry/model:1", "hunter2"), NOW).event().orElseThrow();
      Active state = (Active) SimulationState.apply(new SimulationState.Empty("sim-1"), deployed);
      lines.list.clear();

      intake.redeploy(state.deployment(), deploy("registry/model:1", "hunter2"));

      assertEquals(1, lines.list.size(), lines.list.toString());
      ILoggingEvent line = lines.list.get(0);
      assertEquals(Level.WARN, line.getLevel());
      assertTrue(line.getFormattedMessage().contains("simulation sim-1: a repeated DeployModels"),
          line.getFormattedMessage());
      assertFalse(line.getFormattedMessage().contains("hunter2"), line.getFormattedMessage());
    } finally {
      logger.detachAppender(lines);
    }
  }
}
