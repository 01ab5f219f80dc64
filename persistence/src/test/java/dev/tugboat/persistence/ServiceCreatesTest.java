package dev.tugboat.persistence;

import static dev.tugboat.persistence.SimulationParts.deployed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tugboat.persistence.SimulationMessages.ServiceAnsweredCreate;
import dev.tugboat.persistence.SimulationState.Deployment;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.service.ServiceCommand;
import dev.tugboat.protocol.simulation.SimulationCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Creates a simulation sends: the window, the re-sends, the deadline; hosted in an actor of their own. */
class ServiceCreatesTest {
  private static final Instant T0 = SimulationParts.T0;
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("ServiceCreatesTest", TestSupport.config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Create deadline 3 × 60 s, two Creates unanswered at most. */
  private static EntitySettings settings(MutableClock clock, boolean holdOnFailure) {
    return new EntitySettings(Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(60), 3,
        Duration.ofSeconds(60), 30, Duration.ofSeconds(5), Duration.ofSeconds(30), 2,
        Duration.ofMinutes(5), holdOnFailure, 100, 2, Duration.ofSeconds(10), Duration.ZERO, DeployLimits.DEFAULT,
        Duration.ofDays(7), Duration.ofMinutes(2), Duration.ZERO, clock);
  }

  private record Hosted(PartHost<ServiceCreates> host, ProbeDirectory directory, TestProbe<SimulationCommand> self,
      MutableClock clock) {}

  private static Hosted hosted(boolean holdOnFailure) {
    ProbeDirectory directory = new ProbeDirectory(testKit);
    TestProbe<SimulationCommand> self = testKit.createTestProbe(SimulationCommand.class);
    MutableClock clock = new MutableClock(T0);
    SimulationWiring wiring = SimulationWiring.of(directory, settings(clock, holdOnFailure), new NotificationTags(4),
        TestSupport.sealer());
    return new Hosted(new PartHost<>(testKit, ctx -> new ServiceCreates("sim", wiring, ctx), self.ref()), directory,
        self, clock);
  }

  private static String asked(Hosted h) {
    return assertInstanceOf(ServiceCommand.Create.class, h.directory().services.receiveMessage()).spec().modelId();
  }

  @Test
  void asksAWindowAtATimeAndHandsTheAnswersToItsActor() {
    Hosted h = hosted(false);
    Deployment d = deployed(3).deployment();
    h.host().run(c -> c.refill(d));
    ServiceCommand.Create first =
        assertInstanceOf(ServiceCommand.Create.class, h.directory().services.receiveMessage());
    assertEquals("m1", asked(h));
    h.directory().services.expectNoMessage(Duration.ofMillis(100));
    first.replyTo().tell(CommandReply.accepted());
    assertEquals(new ServiceAnsweredCreate("m0", CommandReply.accepted(), null),
        h.self().expectMessageClass(ServiceAnsweredCreate.class));
    h.host().run(c -> {
      c.answered("m0");
      c.refill(d);
    });
    assertEquals("m2", asked(h), "the freed slot goes to the next model");
  }

  @Test
  void aTickReSendsTheCreatesStillUnanswered() {
    Hosted h = hosted(false);
    Deployment d = deployed(1).deployment();
    h.host().run(c -> c.refill(d));
    assertEquals("m0", asked(h));
    h.host().run(c -> {
      c.answered("m0");
      c.resend(d);
    });
    assertEquals("m0", asked(h));
  }

  @Test
  void aServiceThatNeverAcceptedIsGivenUpAfterTheDeadlineOfItsFirstAsk() {
    Hosted h = hosted(false);
    Deployment d = deployed(1).deployment();
    h.host().run(c -> c.refill(d));
    asked(h);
    TestProbe<List<ModelEnd>> overdue = testKit.createTestProbe();
    h.host().run(c -> overdue.ref().tell(c.overdue(d, T0.plusSeconds(179))));
    assertEquals(List.of(), overdue.receiveMessage());
    h.host().run(c -> overdue.ref().tell(c.overdue(d, T0.plusSeconds(181))));
    assertEquals(List.of(new ModelEnd("m0", TerminationStatus.FAILED, ExitCodes.POD_NOT_CREATED,
        "its service did not accept Create within PT3M")), overdue.receiveMessage());
    h.host().run(c -> overdue.ref().tell(c.overdue(d, T0.plusSeconds(500))));
    assertEquals(List.of(), overdue.receiveMessage(), "given up once: its deadline stopped");
  }

  @Test
  void underHoldOnFailureNothingIsGivenUpAndCreatesKeepGoing() {
    Hosted h = hosted(true);
    Deployment d = deployed(1).deployment();
    h.host().run(c -> c.refill(d));
    asked(h);
    TestProbe<List<ModelEnd>> overdue = testKit.createTestProbe();
    h.host().run(c -> overdue.ref().tell(c.overdue(d, T0.plusSeconds(181))));
    assertEquals(List.of(), overdue.receiveMessage());
    h.host().run(c -> {
      c.answered("m0");
      c.resend(d);
    });
    assertEquals("m0", asked(h));
  }
}
