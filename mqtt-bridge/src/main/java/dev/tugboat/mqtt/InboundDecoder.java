package dev.tugboat.mqtt;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import dev.tugboat.protocol.topics.Topics;
import java.util.List;
import java.util.Optional;

/**
 * Decides what one inbound MQTT message is, before any work is done for it: a message to drop
 * (a foreign {so}, a malformed topic, an id that cannot be carried, an undecodable payload, a
 * DeployModels that names no model), a DeployModels to refuse (too large, a field of the wrong
 * wire type, too many models: its entity tells the SO), a DeployModels to deploy, or a
 * ReadyForProcessing. A pure function of the topic and payload.
 */
final class InboundDecoder {

  /** What to do with one inbound message. */
  sealed interface Decision {}

  /** Acknowledge and forget: nothing is stored. {@code reason} is the metric tag. */
  record Drop(String reason, String detail) implements Decision {}

  /** A DeployModels that broke a limit: its entity journals the refusal and tells the SO. */
  record Refuse(String simulationId, String simulatorId, String reason) implements Decision {}

  /** A DeployModels within the limits, for its entity to validate in full. */
  record Deploy(String simulationId, String simulatorId, List<ModelSpec> models, double keepLogsHours)
      implements Decision {}

  /** A model's ReadyForProcessing. */
  record Ready(String simulationId, String modelId) implements Decision {}

  private InboundDecoder() {}

  static Decision decide(String topic, byte[] payload, String so, DeployLimits limits) {
    Topic parsed;
    try {
      parsed = Topics.parse(topic);
    } catch (Topics.MalformedTopicException e) {
      return new Drop("malformed-topic", e.getMessage());
    }
    if (parsed instanceof Topic.DeployModels t) {
      if (!so.equals(t.so())) {
        return new Drop("foreign-so", "the topic names SO '" + Ids.printable(t.so()) + "', this bridge serves '"
            + so + "'");
      }
      return deployModels(t.simulationId(), payload, limits);
    }
    if (parsed instanceof Topic.ReadyForProcessing t) {
      Optional<String> idProblem = Ids.problem("simulation id", t.simulationId())
          .or(() -> Ids.problem("model id", t.modelId()));
      if (idProblem.isPresent()) {
        return new Drop("invalid-id", idProblem.get());
      }
      try {
        Lifecycle.ReadyForProcessing.parseFrom(payload);
      } catch (InvalidProtocolBufferException e) {
        return new Drop("undecodable", "not a ReadyForProcessing message: " + e.getMessage());
      }
      return new Ready(t.simulationId(), t.modelId());
    }
    return new Drop("unexpected-topic", "Tugboat does not consume " + parsed.getClass().getSimpleName());
  }

  private static Decision deployModels(String simulationId, byte[] payload, DeployLimits limits) {
    Optional<String> idProblem = Ids.problem("simulation id", simulationId);
    if (idProblem.isPresent()) {
      return new Drop("invalid-id", idProblem.get());
    }
    Optional<String> tooLarge = limits.messageSizeProblem(payload.length);
    if (tooLarge.isPresent()) {
      return new Refuse(simulationId, "", tooLarge.get());
    }
    Lifecycle.DeployModels message;
    try {
      message = Lifecycle.DeployModels.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      return new Drop("undecodable", "not a DeployModels message: " + e.getMessage());
    }
    if (message.getModelConfigurationsCount() == 0) {
      return new Drop("no-models", "not a DeployModels message: it names no model (" + payload.length + " bytes)");
    }
    String simulatorId = message.getSimulatorId();
    Optional<String> refusal = WireTypes.problem(message)
        .or(() -> limits.modelCountProblem(message.getModelConfigurationsCount()));
    if (refusal.isPresent()) {
      return new Refuse(simulationId, simulatorId, refusal.get());
    }
    List<ModelSpec> models = message.getModelConfigurationsList().stream()
        .map(m -> new ModelSpec(m.getModelID(), m.getImageUrl(),
            m.getEnvironmentVariablesList().stream().map(e -> new EnvVar(e.getName(), e.getValue())).toList()))
        .toList();
    return new Deploy(simulationId, simulatorId, models, message.getKeepLogsHours());
  }
}
