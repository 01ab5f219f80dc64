package dev.tugboat.persistence;

import static dev.tugboat.persistence.SimulationParts.SIM;
import static dev.tugboat.persistence.SimulationParts.T0;
import static dev.tugboat.persistence.SimulationParts.applyAll;
import static dev.tugboat.persistence.SimulationParts.deployed;
import static dev.tugboat.persistence.SimulationParts.ended;
import static dev.tugboat.persistence.SimulationParts.ready;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.SimulationDecider.OwedReply;
import dev.tugboat.persistence.SimulationEvent.AllModelsHaveTerminatedQueued;
import dev.tugboat.persistence.SimulationEvent.ModelReady;
import dev.tugboat.persistence.SimulationEvent.ModelTerminated;
import dev.tugboat.persistence.SimulationEvent.ModelsReadyQueued;
import dev.tugboat.persistence.SimulationEvent.NotificationAbandoned;
import dev.tugboat.persistence.SimulationEvent.NotificationDelivered;
import dev.tugboat.persistence.SimulationEvent.ServiceCreateAcknowledged;
import dev.tugboat.persistence.SimulationMessages.Abandonment;
import dev.tugboat.persistence.SimulationState.Active;
import dev.tugboat.persistence.SimulationState.Ended;
import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.ExitCodes;
import dev.tugboat.protocol.TerminationStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SimulationDeciderTest {
  private static final SimulationDecider NO_GRACE = decider(Duration.ZERO);
  private static final SimulationDecider WITH_GRACE = decider(Duration.ofSeconds(5));

  private static SimulationDecider decider(Duration grace) {
    return new SimulationDecider(SIM, new LateReadyGrace(grace), LoggerFactory.getLogger(SimulationDeciderTest.class));
  }

  private static ActorRef<CommandReply> reporter() {
    return TestInbox.<CommandReply>create().getRef();
  }

  private static ModelEnd end(String modelId, int exitCode) {
    return new ModelEnd(modelId, exitCode == 0 ? TerminationStatus.SUCCEEDED : TerminationStatus.FAILED, exitCode,
        "x");
  }

  @Test
  void readyReportsOfOneBatchQueueModelsReadyOnceAndAnswerRepeats() {
    ActorRef<CommandReply> a = reporter();
    ActorRef<CommandReply> b = reporter();
    ActorRef<CommandReply> c = reporter();
    ActorRef<CommandReply> d = reporter();
    SimulationDecider.Decision decision = NO_GRACE.decide(deployed(2), List.of(new ReportBatch.Ready("m0", a),
        new ReportBatch.Ready("m0", b), new ReportBatch.Ready("m1", c), new ReportBatch.Ready("nope", d)), T0);
    assertEquals(List.of(new ModelReady(SIM, "m0", T0), new ModelReady(SIM, "m1", T0),
        new ModelsReadyQueued(SIM, 1, T0)), decision.events());
    assertEquals(List.of(new OwedReply(a, CommandReply.accepted()),
        new OwedReply(b, new CommandReply.Accepted("already ready")), new OwedReply(c, CommandReply.accepted()),
        new OwedReply(d, new CommandReply.Rejected("unknown model 'nope'"))), decision.replies());
  }

  @Test
  void theLastEndQueuesAllModelsHaveTerminatedInTheSameWriteWithConsecutiveIds() {
    ActorRef<CommandReply> again = reporter();
    SimulationDecider.Decision decision = NO_GRACE.decide(deployed(2), List.of(
        new ReportBatch.End(end("m0", 0), reporter()), new ReportBatch.End(end("m1", 2), reporter()),
        new ReportBatch.End(end("m0", 0), again)), T0);
    assertEquals(List.of(
        new ModelTerminated(SIM, "m0", TerminationStatus.SUCCEEDED, 0, "x", 1, T0),
        new ModelTerminated(SIM, "m1", TerminationStatus.FAILED, 2, "x", 2, T0),
        new AllModelsHaveTerminatedQueued(SIM, 3, T0)), decision.events());
    assertEquals(new OwedReply(again, new CommandReply.Accepted("already terminated")), decision.replies().get(2));
    assertInstanceOf(Ended.class, applyAll(deployed(2), decision.events()));
  }

  @Test
  void theEndWaitsForLateReadyReportsWhileModelsReadyIsStillPossible() {
    List<ReportBatch.Item> ends = List.of(new ReportBatch.End(end("m0", 0), reporter()),
        new ReportBatch.End(end("m1", 2), reporter()));
    assertEquals(2, WITH_GRACE.decide(deployed(2), ends, T0).events().size(), "no AllModelsHaveTerminatedQueued");
    List<ReportBatch.Item> neverCreated = List.of(new ReportBatch.End(end("m0", 0), reporter()),
        new ReportBatch.End(end("m1", ExitCodes.POD_NOT_CREATED), reporter()));
    assertInstanceOf(AllModelsHaveTerminatedQueued.class,
        WITH_GRACE.decide(deployed(2), neverCreated, T0).events().get(2), "m1 never had a pod: nothing to wait for");
  }

  @Test
  void aLateReadyReportThatCompletesTheSetQueuesModelsReadyBeforeTheEnd() {
    SimulationState waiting = ended(ended(ready(deployed(2), "m0"), "m0", 0), "m1", 0);
    SimulationDecider.Decision decision = WITH_GRACE.decide(waiting, List.of(new ReportBatch.Ready("m1", reporter())),
        T0);
    assertEquals(List.of(new ModelReady(SIM, "m1", T0), new ModelsReadyQueued(SIM, 3, T0),
        new AllModelsHaveTerminatedQueued(SIM, 4, T0)), decision.events());
  }

  @Test
  void deliveriesAndAbandonmentsJournalOnlyWhatTheOutboxStillHolds() {
    SimulationState s = applyAll(ended(ended(ended(deployed(3), "m0", 0), "m1", 0), "m2", 0),
        List.of(new AllModelsHaveTerminatedQueued(SIM, 4, T0)));
    ActorRef<CommandReply> projection = reporter();
    SimulationDecider.Decision decision = NO_GRACE.decide(s, List.of(
        new ReportBatch.Deliveries(List.of(1L, 9L), projection),
        new ReportBatch.Deliveries(List.of(1L), null),
        new ReportBatch.Abandonments(List.of(new Abandonment(2, "cannot encode"), new Abandonment(2, "again"),
            new Abandonment(1, "delivered already")), null)), T0);
    assertEquals(List.of(new NotificationDelivered(SIM, 1, T0), new NotificationAbandoned(SIM, 2, "cannot encode", T0)),
        decision.events());
    assertEquals(List.of(new OwedReply(projection, CommandReply.accepted())), decision.replies(),
        "the fast path's own items are answered to nobody");
  }

  @Test
  void aCreateAcknowledgementIsJournaledOnceAndOnlyWhileActive() {
    Active s = deployed(2);
    SimulationDecider.Decision decision = NO_GRACE.decide(s, List.of(new ReportBatch.CreateAccepted("m0"),
        new ReportBatch.CreateAccepted("m0"), new ReportBatch.CreateAccepted("nope")), T0);
    assertEquals(List.of(new ServiceCreateAcknowledged(SIM, "m0", T0)), decision.events());
    assertEquals(List.of(), decision.replies());
    SimulationState over = ended(ended(s, "m0", 0), "m1", 0);
    SimulationState endedState = applyAll(over, List.of(new AllModelsHaveTerminatedQueued(SIM, 3, T0)));
    assertEquals(List.of(), NO_GRACE.decide(endedState, List.of(new ReportBatch.CreateAccepted("m1")), T0).events());
  }

  @Test
  void endsDecidedOutsideABatchEndTheSimulationToo() {
    Active s = (Active) ended(deployed(2), "m0", 0);
    List<SimulationEvent> events = NO_GRACE.ends(s, List.of(end("m1", ExitCodes.POD_NOT_CREATED)), T0);
    assertEquals(List.of(new ModelTerminated(SIM, "m1", TerminationStatus.FAILED, ExitCodes.POD_NOT_CREATED, "x", 2,
        T0), new AllModelsHaveTerminatedQueued(SIM, 3, T0)), events);
  }

  @Test
  void theGraceOverQueuesTheEndUnlessItIsQueuedAlready() {
    Active waiting = (Active) ended(ended(deployed(2), "m0", 0), "m1", 0);
    assertEquals(Optional.of(new AllModelsHaveTerminatedQueued(SIM, 3, T0)), WITH_GRACE.graceOver(waiting, T0));
    Active running = (Active) ended(deployed(2), "m0", 0);
    assertTrue(WITH_GRACE.graceOver(running, T0).isEmpty(), "m1 still runs: a timer that outlived its wait");
  }

  @Test
  void aReadyReportAfterTheEndIsAcceptedButQueuesNothing() {
    Ended s = (Ended) applyAll(ended(deployed(1), "m0", 0), List.of(new AllModelsHaveTerminatedQueued(SIM, 2, T0)));
    assertEquals(new CommandReply.Accepted("simulation ended"), NO_GRACE.readyAfterEnd(s, "m0"));
    assertEquals(new CommandReply.Rejected("unknown model 'nope'"), NO_GRACE.readyAfterEnd(s, "nope"));
  }
}
