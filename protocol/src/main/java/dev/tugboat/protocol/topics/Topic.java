package dev.tugboat.protocol.topics;

/**
 * One DOTS lifecycle topic, parsed. Every record formats back to exactly the topic it was
 * parsed from ({@link #format()}); {@link Topics#parse} is the only way in from a string.
 */
public sealed interface Topic {

  String format();

  /** {@code /lifecycle/{so}/mso/{simulationId}/DeployModels}, into the MSO. */
  record DeployModels(String so, String simulationId) implements Topic {
    public String format() {
      return "/lifecycle/" + so + "/mso/" + simulationId + "/DeployModels";
    }
  }

  /** {@code /lifecycle/model/mso/{simulationId}/{modelId}/ReadyForProcessing}, into the MSO. */
  record ReadyForProcessing(String simulationId, String modelId) implements Topic {
    public String format() {
      return "/lifecycle/model/mso/" + simulationId + "/" + modelId + "/ReadyForProcessing";
    }
  }

  /** {@code /lifecycle/mso/{so}/{simulationId}/ModelsReady}, out of the MSO. */
  record ModelsReady(String so, String simulationId) implements Topic {
    public String format() {
      return "/lifecycle/mso/" + so + "/" + simulationId + "/ModelsReady";
    }
  }

  /** {@code /lifecycle/mso/{so}/{simulationId}/{modelId}/ModelHasTerminated}, out of the MSO. */
  record ModelHasTerminated(String so, String simulationId, String modelId) implements Topic {
    public String format() {
      return "/lifecycle/mso/" + so + "/" + simulationId + "/" + modelId + "/ModelHasTerminated";
    }
  }

  /** {@code /lifecycle/mso/{so}/{simulationId}/AllModelsHaveTerminated}, out of the MSO. */
  record AllModelsHaveTerminated(String so, String simulationId) implements Topic {
    public String format() {
      return "/lifecycle/mso/" + so + "/" + simulationId + "/AllModelsHaveTerminated";
    }
  }

  /** SO to model: {@code /lifecycle/{so}/model/{simulationId}/{modelId}/{kind}}; observed only. */
  record SoToModel(String so, String simulationId, String modelId, SoToModelKind kind) implements Topic {
    public String format() {
      return "/lifecycle/" + so + "/model/" + simulationId + "/" + modelId + "/" + kind.name();
    }
  }

  /** Model to SO: {@code /lifecycle/model/{so}/{simulationId}/{modelId}/{kind}}; observed only. */
  record ModelToSo(String so, String simulationId, String modelId, ModelToSoKind kind) implements Topic {
    public String format() {
      return "/lifecycle/model/" + so + "/" + simulationId + "/" + modelId + "/" + kind.name();
    }
  }

  /** The messages an SO sends to its models. */
  enum SoToModelKind { ModelParameters, NewStep, SimulationDone }

  /** The messages a model sends to its SO (DOTS spells the topic "Parameterized"). */
  enum ModelToSoKind { Parameterized, CalculationsDone, ErrorOccurred }
}
