package dev.tugboat.mqtt;

import dev.tugboat.protocol.CommandReply;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.EntityDirectory;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.simulation.SimulationCommand;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one inbound MQTT message into a command for its Simulation entity ({@link InboundDecoder}
 * decides which) and acknowledges the message once the entity replied (Accepted, Duplicate, Conflict or Rejected), once every attempt timed out, or at
 * once when the message is dropped (foreign {so}, malformed topic, an id that cannot be carried,
 * an undecodable payload, a DeployModels that names no model). It
 * never blocks: the caller (the Paho callback) returns as soon as the ask is sent.
 */
final class InboundRouter {
  private static final Logger log = LoggerFactory.getLogger(InboundRouter.class);

  private final ActorSystem<?> system;
  private final EntityDirectory directory;
  private final MqttSettings settings;
  private final MeterRegistry metrics;
  private final String so;
  private final DeployLimits limits;

  InboundRouter(ActorSystem<?> system, EntityDirectory directory, MqttSettings settings, MeterRegistry metrics) {
    this.system = system;
    this.directory = directory;
    this.settings = settings;
    this.metrics = metrics;
    this.so = settings.so();
    this.limits = DeployLimits.fromConfig(system.settings().config());
  }

  /** One inbound message on its way to an entity; {@code ack} acknowledges it to the broker. */
  private record Inbound(
      String kind, String topic, String simulationId, String modelId,
      Function<ActorRef<CommandReply>, SimulationCommand> command, Runnable ack, long arrivedNanos) {}

  void route(String topic, byte[] payload, Runnable ack) {
    InboundDecoder.Decision decision = InboundDecoder.decide(topic, payload, so, limits);
    if (decision instanceof InboundDecoder.Drop d) {
      drop(d.reason(), topic, d.detail(), ack);
    } else if (decision instanceof InboundDecoder.Refuse r) {
      metrics.counter("tugboat.mqtt.inbound.refused").increment();
      ask(new Inbound("DeployModels", topic, r.simulationId(), "",
          replyTo -> new SimulationCommand.RefuseDeploy(r.simulatorId(), r.reason(), replyTo), ack, System.nanoTime()),
          1);
    } else if (decision instanceof InboundDecoder.Deploy d) {
      ask(new Inbound("DeployModels", topic, d.simulationId(), "",
          replyTo -> new SimulationCommand.Deploy(d.simulatorId(), d.models(), d.keepLogsHours(), replyTo), ack,
          System.nanoTime()), 1);
    } else if (decision instanceof InboundDecoder.Ready r) {
      ask(new Inbound("ReadyForProcessing", topic, r.simulationId(), r.modelId(),
          replyTo -> new SimulationCommand.ReportModelReady(r.modelId(), replyTo), ack, System.nanoTime()), 1);
    }
  }

  private void ask(Inbound in, int attempt) {
    CompletionStage<CommandReply> reply;
    try {
      reply = AskPattern.ask(directory.simulation(in.simulationId()), in.command(), settings.routeTimeout(),
          system.scheduler());
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete((r, error) -> {
      if (error == null) {
        replied(in, r);
      } else if (attempt < settings.routeAttempts()) {
        Throwable cause = unwrap(error);
        log.warn("{} for simulation {}{}: attempt {} of {} failed ({}); asking again", in.kind(),
            Ids.printable(in.simulationId()), modelSuffix(in), attempt, settings.routeAttempts(), cause.toString());
        metrics.counter("tugboat.mqtt.inbound.retries", "kind", in.kind()).increment();
        // A timeout already waited route-timeout; any other failure (e.g. sharding not yet up)
        // waits a moment so the attempts are not spent at once.
        long delayMs = cause instanceof TimeoutException ? 0 : Math.min(1000, settings.routeTimeout().toMillis());
        CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS, system.executionContext())
            .execute(() -> ask(in, attempt + 1));
      } else {
        log.error("{} for simulation {}{} on {} is lost: no entity answered after {} attempts ({}); "
                + "acknowledging it so it cannot block the session", in.kind(), Ids.printable(in.simulationId()),
            modelSuffix(in), Ids.printable(in.topic()), attempt, unwrap(error).toString());
        ack(in.ack(), in.topic());
        metrics.counter("tugboat.mqtt.inbound", "kind", in.kind(), "outcome", "failed").increment();
      }
    });
  }

  private void replied(Inbound in, CommandReply reply) {
    // Ack first: once the counter moved, the PUBACK is queued (tests and dashboards rely on it).
    ack(in.ack(), in.topic());
    Timer.builder("tugboat.mqtt.inbound.latency")
        .description("From a message's arrival to its entity's answer, when it is acknowledged (retries included)")
        .tag("kind", in.kind())
        .register(metrics)
        .record(System.nanoTime() - in.arrivedNanos(), TimeUnit.NANOSECONDS);
    if (reply instanceof CommandReply.Rejected rejected) {
      log.warn("{} for simulation {}{} rejected: {}", in.kind(), Ids.printable(in.simulationId()), modelSuffix(in),
          rejected.reason());
      metrics.counter("tugboat.mqtt.inbound", "kind", in.kind(), "outcome", "rejected").increment();
    } else if (reply instanceof CommandReply.Conflict conflict) {
      log.warn("{} for simulation {}{} conflicts with the existing one: {}", in.kind(),
          Ids.printable(in.simulationId()), modelSuffix(in), conflict.reason());
      metrics.counter("tugboat.mqtt.inbound", "kind", in.kind(), "outcome", "conflict").increment();
    } else if (reply instanceof CommandReply.Duplicate) {
      // The entity logged it at WARN already: one line per repeated message.
      log.debug("{} for simulation {}{} is a duplicate", in.kind(), Ids.printable(in.simulationId()), modelSuffix(in));
      metrics.counter("tugboat.mqtt.inbound", "kind", in.kind(), "outcome", "duplicate").increment();
    } else {
      log.debug("{} for simulation {}{} accepted", in.kind(), Ids.printable(in.simulationId()), modelSuffix(in));
      metrics.counter("tugboat.mqtt.inbound", "kind", in.kind(), "outcome", "accepted").increment();
    }
  }

  private void drop(String reason, String topic, String detail, Runnable ack) {
    ack(ack, topic);
    log.warn("dropping the message on topic '{}' ({}): {}", Ids.printable(topic), reason, detail);
    metrics.counter("tugboat.mqtt.inbound.dropped", "reason", reason).increment();
  }

  private static void ack(Runnable ack, String topic) {
    try {
      ack.run();
    } catch (RuntimeException e) {
      log.warn("could not acknowledge the message on topic '{}': {}", Ids.printable(topic), e.toString());
    }
  }

  private static String modelSuffix(Inbound in) {
    return in.modelId().isEmpty() ? "" : " model " + Ids.printable(in.modelId());
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
