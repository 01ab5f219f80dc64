package dev.tugboat.mqtt;

import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.MqttText;
import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.notify.NotifierCommand;
import dev.tugboat.protocol.notify.PublishResult;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * The actor behind {@link MqttBridge#notifier()}: publishes each lifecycle notification as its
 * DOTS protobuf message and replies {@code Published} only once the broker acknowledged it
 * (PUBACK at QoS 1), {@code NotPublished} when not connected, on failure, after
 * publish-timeout, or at once, marked permanent, for a notification it cannot encode or whose
 * topic MQTT 3.1.1 cannot carry ({@link MqttText}). It keeps
 * fewer publishes in flight than Paho's max-inflight and queues the rest, so Paho never refuses
 * a publish as "too many in progress".
 */
public final class LifecyclePublisher extends AbstractBehavior<NotifierCommand> {

  /** Paho completed (or failed) the delivery of the publish with this sequence number. */
  private record Delivered(long seq, Throwable error) implements NotifierCommand.Private {}

  /** The publish with this sequence number was not acknowledged within publish-timeout. */
  private record TimedOut(long seq) implements NotifierCommand.Private {}

  /** Try again to hand queued publishes to Paho (after Paho reported its in-flight window full). */
  private enum Drain implements NotifierCommand.Private { INSTANCE }

  /** Stop publishing; everything still pending is answered NotPublished. */
  enum Stop implements NotifierCommand.Private { INSTANCE }

  /** One accepted Publish with its encoded form. */
  private record Pending(long seq, NotifierCommand.Publish publish, NotificationCodec.Outbound outbound) {}

  private static final Duration DRAIN_RETRY = Duration.ofMillis(100);
  private static final String NOT_CONNECTED = "not connected to the MQTT broker";

  private final IMqttAsyncClient client;
  private final MqttSettings settings;
  private final MeterRegistry metrics;
  private final TimerScheduler<NotifierCommand> timers;
  private final int limit;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final Map<Long, Pending> inFlight = new HashMap<>();
  // In flight but already answered NotPublished (timed out): the slot stays taken until Paho is done.
  private final Set<Long> answered = new HashSet<>();
  private final AtomicInteger inFlightGauge;
  private final AtomicInteger queuedGauge;
  private long nextSeq = 1;

  public static Behavior<NotifierCommand> create(IMqttAsyncClient client, MqttSettings settings, MeterRegistry metrics) {
    return Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new LifecyclePublisher(context, timers, client, settings, metrics)));
  }

  private LifecyclePublisher(ActorContext<NotifierCommand> context, TimerScheduler<NotifierCommand> timers,
      IMqttAsyncClient client, MqttSettings settings, MeterRegistry metrics) {
    super(context);
    context.setLoggerName(LifecyclePublisher.class);
    this.timers = timers;
    this.client = client;
    this.settings = settings;
    this.metrics = metrics;
    // Stay one below Paho's bound: Paho counts a message as in flight until just before it
    // completes the token, so our count never lags behind Paho's.
    this.limit = Math.max(1, settings.maxInflight() - 1);
    this.inFlightGauge = metrics.gauge("tugboat.mqtt.outbound.in-flight", new AtomicInteger());
    this.queuedGauge = metrics.gauge("tugboat.mqtt.outbound.queued", new AtomicInteger());
  }

  @Override
  public Receive<NotifierCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(NotifierCommand.Publish.class, this::onPublish)
        .onMessage(Delivered.class, this::onDelivered)
        .onMessage(TimedOut.class, this::onTimedOut)
        .onMessageEquals(Drain.INSTANCE, this::onDrain)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<NotifierCommand> onPublish(NotifierCommand.Publish publish) {
    NotificationCodec.Outbound outbound;
    try {
      outbound = NotificationCodec.encode(settings.so(), publish.notification());
    } catch (RuntimeException e) {
      notPublished(publish, "unknown", "cannot encode: " + Ids.printable(String.valueOf(e.getMessage())), true);
      return this;
    }
    Optional<String> uncarriable = MqttText.problem(outbound.topic());
    if (uncarriable.isPresent()) {
      // Paho would fail only when its sender thread encodes the topic, and that failure takes
      // the whole outbound connection down with every publish in flight on it.
      notPublished(publish, outbound.kind(), "the topic '" + Ids.printable(outbound.topic())
          + "' cannot be carried by MQTT 3.1.1: " + uncarriable.get(), true);
      return this;
    }
    if (!client.isConnected()) {
      notPublished(publish, outbound.kind(), NOT_CONNECTED);
      return this;
    }
    long seq = nextSeq++;
    queue.addLast(new Pending(seq, publish, outbound));
    timers.startSingleTimer(seq, new TimedOut(seq), settings.publishTimeout());
    drain();
    return this;
  }

  private Behavior<NotifierCommand> onDelivered(Delivered delivered) {
    Pending p = inFlight.remove(delivered.seq());
    if (p != null && !answered.remove(delivered.seq())) {
      timers.cancel(delivered.seq());
      if (delivered.error() == null) {
        published(p);
      } else {
        notPublished(p.publish(), p.outbound().kind(), "delivery failed: " + describe(delivered.error()));
      }
    }
    drain();
    return this;
  }

  private Behavior<NotifierCommand> onTimedOut(TimedOut timedOut) {
    long seq = timedOut.seq();
    String reason = "not acknowledged by the broker within " + settings.publishTimeout();
    Iterator<Pending> it = queue.iterator();
    while (it.hasNext()) {
      Pending p = it.next();
      if (p.seq() == seq) {
        it.remove();
        notPublished(p.publish(), p.outbound().kind(), reason);
        updateGauges();
        return this;
      }
    }
    Pending p = inFlight.get(seq);
    if (p != null && answered.add(seq)) {
      notPublished(p.publish(), p.outbound().kind(), reason);
    }
    return this;
  }

  private Behavior<NotifierCommand> onDrain() {
    drain();
    return this;
  }

  private Behavior<NotifierCommand> onPostStop() {
    for (Pending p : queue) {
      notPublished(p.publish(), p.outbound().kind(), "the MQTT bridge is stopping");
    }
    queue.clear();
    for (Map.Entry<Long, Pending> e : inFlight.entrySet()) {
      if (!answered.contains(e.getKey())) {
        notPublished(e.getValue().publish(), e.getValue().outbound().kind(), "the MQTT bridge is stopping");
      }
    }
    inFlight.clear();
    answered.clear();
    updateGauges();
    return this;
  }

  private void drain() {
    while (!queue.isEmpty() && inFlight.size() < limit) {
      if (!client.isConnected()) {
        failQueued(NOT_CONNECTED);
        break;
      }
      // Paho may still count messages this actor already answered (timed out, or completed just
      // now); wait for its window instead of provoking its refusal.
      if (client.getInFlightMessageCount() >= limit) {
        timers.startSingleTimer(Drain.INSTANCE, Drain.INSTANCE, DRAIN_RETRY);
        break;
      }
      Pending p = queue.pollFirst();
      if (!send(p)) {
        break;
      }
    }
    updateGauges();
  }

  /** Hands one publish to Paho; false when Paho's window is full and the publish went back to the queue. */
  private boolean send(Pending p) {
    CompletableFuture<Void> delivered = new CompletableFuture<>();
    try {
      client.publish(p.outbound().topic(), p.outbound().payload(), settings.qos(), false, null,
          new IMqttActionListener() {
            // Runs on Paho's callback thread: complete the future and return, nothing more.
            @Override
            public void onSuccess(IMqttToken token) {
              delivered.complete(null);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable error) {
              delivered.completeExceptionally(error == null ? new MqttException(MqttException.REASON_CODE_UNEXPECTED_ERROR) : error);
            }
          });
    } catch (MqttException e) {
      if (e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT) {
        // Should not happen (see drain); counted so that it shows if it does.
        metrics.counter("tugboat.mqtt.outbound.window-full").increment();
        queue.addFirst(p);
        timers.startSingleTimer(Drain.INSTANCE, Drain.INSTANCE, DRAIN_RETRY);
        return false;
      }
      timers.cancel(p.seq());
      notPublished(p.publish(), p.outbound().kind(), describe(e));
      return true;
    }
    inFlight.put(p.seq(), p);
    long seq = p.seq();
    getContext().pipeToSelf(delivered, (ok, error) -> new Delivered(seq, error));
    return true;
  }

  private void failQueued(String reason) {
    for (Pending p : queue) {
      timers.cancel(p.seq());
      notPublished(p.publish(), p.outbound().kind(), reason);
    }
    queue.clear();
  }

  private void published(Pending p) {
    metrics.counter("tugboat.mqtt.outbound", "kind", p.outbound().kind(), "outcome", "published").increment();
    p.publish().replyTo().tell(new PublishResult.Published(p.publish().id()));
  }

  /** A refusal that may pass: the sender retries. */
  private void notPublished(NotifierCommand.Publish publish, String kind, String reason) {
    notPublished(publish, kind, reason, false);
  }

  /** {@code permanent}: every retry would be refused the same way, so the sender gives the notification up. */
  private void notPublished(NotifierCommand.Publish publish, String kind, String reason, boolean permanent) {
    Notification n = publish.notification();
    if (reason.equals(NOT_CONNECTED)) {
      // During a broker outage every owed notification is refused again on every simulation tick;
      // the bridge has logged the lost connection once, the counter below shows the refusals.
      getContext().getLog().debug("{} for simulation {} not published: {}", kind, Ids.printable(n.simulationId()),
          reason);
    } else {
      getContext().getLog().warn("{} for simulation {} not published: {}", kind, Ids.printable(n.simulationId()),
          reason);
    }
    metrics.counter("tugboat.mqtt.outbound", "kind", kind, "outcome", "not-published").increment();
    publish.replyTo().tell(new PublishResult.NotPublished(publish.id(), reason, permanent));
  }

  private void updateGauges() {
    if (inFlightGauge != null) {
      inFlightGauge.set(inFlight.size());
    }
    if (queuedGauge != null) {
      queuedGauge.set(queue.size());
    }
  }

  private static String describe(Throwable t) {
    Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
