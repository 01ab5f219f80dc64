package dev.tugboat.node.deploy;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.dots.Lifecycle;
import dev.tugboat.protocol.topics.Topic;
import dev.tugboat.protocol.topics.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one simulation's notifications have told so far, and each one as a readable line:
 * ModelsReady, ModelHasTerminated per model (status and exit code), AllModelsHaveTerminated.
 * It is over at AllModelsHaveTerminated; it succeeded when every model of the file ended
 * SUCCESSFULL. Not thread-safe: the command's thread alone feeds it.
 */
final class Progress {

  /** One notification read: its line, and the model that ended FAILED, if it did. */
  record Step(String line, Optional<String> failedModel) {}

  private final DeployFile file;
  private final Map<String, Boolean> ended = new LinkedHashMap<>();
  private boolean over;

  Progress(DeployFile file) {
    this.file = file;
  }

  /** The step a message on {@code topic} makes, or empty when it is not a notification of this simulation. */
  Optional<Step> read(String topic, byte[] payload) {
    try {
      Topic t = Topics.parse(topic);
      if (t instanceof Topic.ModelsReady r && r.simulationId().equals(file.simulationId())) {
        Lifecycle.ModelsReady.parseFrom(payload);
        return step(String.format("%-24s all %d model(s) are running", "ModelsReady", file.models().size()));
      }
      if (t instanceof Topic.ModelHasTerminated m && m.simulationId().equals(file.simulationId())) {
        Lifecycle.ModelHasTerminated msg = Lifecycle.ModelHasTerminated.parseFrom(payload);
        boolean ok = msg.getStatus() == Lifecycle.TerminationStatus.SUCCESSFULL;
        ended.put(m.modelId(), ok);
        String line = String.format("%-24s model %s %s, exit code %d", "ModelHasTerminated",
            Ids.printable(m.modelId()), ok ? "SUCCESSFULL" : "FAILED", msg.getExitCode());
        return Optional.of(new Step(line, ok ? Optional.empty() : Optional.of(m.modelId())));
      }
      if (t instanceof Topic.AllModelsHaveTerminated a && a.simulationId().equals(file.simulationId())) {
        Lifecycle.AllModelsHaveTerminated.parseFrom(payload);
        over = true;
        return step(String.format("%-24s %d of %d model(s) succeeded", "AllModelsHaveTerminated", succeededCount(),
            file.models().size()));
      }
    } catch (Topics.MalformedTopicException | InvalidProtocolBufferException e) {
      return step("ignored a message on '" + Ids.printable(topic) + "': " + e.getMessage());
    }
    return Optional.empty();
  }

  /** AllModelsHaveTerminated has come. */
  boolean over() {
    return over;
  }

  /** Every model of the file was reported, and each SUCCESSFULL. */
  boolean succeeded() {
    return file.models().stream().allMatch(m -> Boolean.TRUE.equals(ended.get(m.modelId())));
  }

  private long succeededCount() {
    return ended.values().stream().filter(Boolean::booleanValue).count();
  }

  private static Optional<Step> step(String line) {
    return Optional.of(new Step(line, Optional.empty()));
  }
}
