package dev.tugboat.protocol.topics;

import dev.tugboat.protocol.Ids;
import java.util.Locale;

/**
 * The DOTS topic grammar: parses every lifecycle topic (rejecting malformed ones with a reason)
 * and builds the subscription filters Tugboat needs. {so} is the configured simulator name,
 * lower-cased, as the DOTS MSO does.
 */
public final class Topics {
  private static final String PREFIX = "/lifecycle/";

  private Topics() {}

  /** Thrown for a topic that is not one of the DOTS lifecycle topics. */
  public static final class MalformedTopicException extends Exception {
    public MalformedTopicException(String topic, String reason) {
      super("malformed topic '" + Ids.printable(topic) + "': " + reason);
    }
  }

  /** The {so} segment for a configured simulator name. */
  public static String soSegment(String simulatorName) {
    return simulatorName.toLowerCase(Locale.ROOT);
  }

  /** Filter for DeployModels of every simulation of this SO. */
  public static String deployModelsFilter(String so) {
    return PREFIX + so + "/mso/+/DeployModels";
  }

  /** Filter for ReadyForProcessing of every model of every simulation. */
  public static String readyForProcessingFilter() {
    return PREFIX + "model/mso/+/+/ReadyForProcessing";
  }

  /** Filter matching everything Tugboat publishes for this SO (what the DOTS SO subscribes to). */
  public static String outboundFilter(String so) {
    return PREFIX + "mso/" + so + "/#";
  }

  public static Topic parse(String topic) throws MalformedTopicException {
    if (topic == null || !topic.startsWith(PREFIX)) {
      throw new MalformedTopicException(topic, "does not start with " + PREFIX);
    }
    String[] s = topic.substring(PREFIX.length()).split("/", -1);
    for (String seg : s) {
      if (seg.isEmpty()) {
        throw new MalformedTopicException(topic, "has an empty segment");
      }
      if (seg.contains("+") || seg.contains("#")) {
        throw new MalformedTopicException(topic, "contains a wildcard");
      }
    }
    String last = s[s.length - 1];
    switch (last) {
      case "DeployModels":
        expect(topic, s, 4);
        expectSegment(topic, s[1], "mso");
        return new Topic.DeployModels(s[0], s[2]);
      case "ReadyForProcessing":
        expect(topic, s, 5);
        expectSegment(topic, s[0], "model");
        expectSegment(topic, s[1], "mso");
        return new Topic.ReadyForProcessing(s[2], s[3]);
      case "ModelsReady":
        expect(topic, s, 4);
        expectSegment(topic, s[0], "mso");
        return new Topic.ModelsReady(s[1], s[2]);
      case "ModelHasTerminated":
        expect(topic, s, 5);
        expectSegment(topic, s[0], "mso");
        return new Topic.ModelHasTerminated(s[1], s[2], s[3]);
      case "AllModelsHaveTerminated":
        expect(topic, s, 4);
        expectSegment(topic, s[0], "mso");
        return new Topic.AllModelsHaveTerminated(s[1], s[2]);
      case "ModelParameters", "NewStep", "SimulationDone":
        expect(topic, s, 5);
        expectSegment(topic, s[1], "model");
        return new Topic.SoToModel(s[0], s[2], s[3], Topic.SoToModelKind.valueOf(last));
      case "Parameterized", "CalculationsDone", "ErrorOccurred":
        expect(topic, s, 5);
        expectSegment(topic, s[0], "model");
        return new Topic.ModelToSo(s[1], s[2], s[3], Topic.ModelToSoKind.valueOf(last));
      default:
        throw new MalformedTopicException(topic, "unknown message kind '" + Ids.printable(last) + "'");
    }
  }

  private static void expect(String topic, String[] segments, int count) throws MalformedTopicException {
    if (segments.length != count) {
      throw new MalformedTopicException(topic,
          "expected " + count + " segments after " + PREFIX + " but found " + segments.length);
    }
  }

  private static void expectSegment(String topic, String actual, String expected) throws MalformedTopicException {
    if (!expected.equals(actual)) {
      throw new MalformedTopicException(topic, "expected '" + expected + "' but found '" + Ids.printable(actual) + "'");
    }
  }
}
