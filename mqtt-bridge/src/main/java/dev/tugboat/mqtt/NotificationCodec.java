package dev.tugboat.mqtt;

import dev.tugboat.protocol.Notification;
import dev.tugboat.protocol.TerminationStatus;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;

/** Turns a {@link Notification} into the DOTS topic and protobuf payload the SO expects. */
public final class NotificationCodec {

  /** One encoded notification: where it goes, what it is called in DOTS, and its bytes. */
  public record Outbound(String topic, String kind, byte[] payload) {}

  private NotificationCodec() {}

  public static Outbound encode(String so, Notification notification) {
    if (notification instanceof Notification.ModelsReady n) {
      return new Outbound(new Topic.ModelsReady(so, n.simulationId()).format(), "ModelsReady",
          Lifecycle.ModelsReady.getDefaultInstance().toByteArray());
    }
    if (notification instanceof Notification.ModelHasTerminated n) {
      Lifecycle.ModelHasTerminated message = Lifecycle.ModelHasTerminated.newBuilder()
          .setStatus(wireStatus(n.status()))
          .setExitCode(n.exitCode())
          .build();
      return new Outbound(new Topic.ModelHasTerminated(so, n.simulationId(), n.modelId()).format(),
          "ModelHasTerminated", message.toByteArray());
    }
    if (notification instanceof Notification.AllModelsHaveTerminated n) {
      return new Outbound(new Topic.AllModelsHaveTerminated(so, n.simulationId()).format(),
          "AllModelsHaveTerminated", Lifecycle.AllModelsHaveTerminated.getDefaultInstance().toByteArray());
    }
    throw new IllegalArgumentException("unknown notification " + notification);
  }

  static Lifecycle.TerminationStatus wireStatus(TerminationStatus status) {
    return switch (status) {
      case SUCCEEDED -> Lifecycle.TerminationStatus.SUCCESSFULL;
      case FAILED -> Lifecycle.TerminationStatus.FAILED;
    };
  }
}
