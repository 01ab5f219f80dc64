package dev.tugboat.node.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.DeployValidator;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One simulation to deploy, read from a YAML or JSON file ({@code simulationId}, {@code simulatorId},
 * {@code models: [{id, image, env: {NAME: value}}]}, {@code keepLogsHours}), checked by the same
 * {@link DeployValidator} that checks every DeployModels a node receives. Each model's environment
 * gets SIMULATOR_ID, SIMULATION_ID and MODEL_ID where the file leaves them out. Reading never throws: a
 * file that cannot be used gives its problems, one sentence each naming the field.
 */
public record DeployFile(String simulationId, String simulatorId, List<ModelSpec> models, double keepLogsHours) {

  /** keepLogsHours when the file does not say (a day, long enough to read a failed model's log). */
  public static final double DEFAULT_KEEP_LOGS_HOURS = 24;

  private static final Set<String> TOP_FIELDS = Set.of("simulationId", "simulatorId", "models", "keepLogsHours");
  private static final Set<String> MODEL_FIELDS = Set.of("id", "image", "env");

  public DeployFile {
    models = List.copyOf(models);
  }

  /** What reading a file gave: the simulation, or the problems that stop it (never both). */
  public record Read(DeployFile file, List<String> problems) {
    public Read {
      problems = List.copyOf(problems);
    }

    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * Reads and checks {@code path}: JSON when its name ends in {@code .json}, YAML otherwise.
   * {@code simulationId}, when not null, replaces the file's.
   */
  public static Read read(Path path, String simulationId, DeployLimits limits) {
    String text;
    try {
      text = Files.readString(path);
    } catch (NoSuchFileException e) {
      return problem(path + ": no such file");
    } catch (IOException e) {
      return problem(path + ": cannot be read: " + e.getMessage());
    }
    boolean json = path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    return parse(text, json, simulationId, limits);
  }

  /** Parses and checks a file's text (see {@link #read}). */
  public static Read parse(String text, boolean json, String simulationIdOverride, DeployLimits limits) {
    JsonNode root;
    try {
      root = (json ? new ObjectMapper() : new ObjectMapper(new YAMLFactory())).readTree(text);
    } catch (JsonProcessingException e) {
      return problem("not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    }
    if (root == null || !root.isObject()) {
      return problem("the file must hold one object with simulationId, simulatorId, models and keepLogsHours");
    }
    List<String> problems = new ArrayList<>();
    unknownFields(root, TOP_FIELDS, "", problems);
    String simulationId = simulationIdOverride != null ? simulationIdOverride : text(root, "simulationId", "", problems);
    String simulatorId = text(root, "simulatorId", "", problems);
    double keepLogsHours = DEFAULT_KEEP_LOGS_HOURS;
    JsonNode keep = root.get("keepLogsHours");
    if (keep != null && !keep.isNull()) {
      if (keep.isNumber()) {
        keepLogsHours = keep.doubleValue();
      } else {
        problems.add("keepLogsHours must be a number of hours, got '" + Ids.printable(keep.asText(), 80) + "'");
      }
    }
    List<ModelSpec> models = new ArrayList<>();
    JsonNode list = root.get("models");
    if (list == null || list.isNull()) {
      problems.add("models is missing: list at least one model (id, image, env)");
    } else if (!list.isArray()) {
      problems.add("models must be a list of models (id, image, env)");
    } else {
      for (int i = 0; i < list.size(); i++) {
        model(list.get(i), "models[" + i + "]", problems).ifPresent(models::add);
      }
    }
    if (!problems.isEmpty()) {
      return new Read(null, problems);
    }
    models = models.stream().map(m -> withIdentity(m, simulatorId, simulationId)).toList();
    Ids.problem("simulationId", simulationId).ifPresent(problems::add);
    problems.addAll(DeployValidator.problems(simulationId, simulatorId, models, keepLogsHours, limits));
    return problems.isEmpty()
        ? new Read(new DeployFile(simulationId, simulatorId, models, keepLogsHours), List.of())
        : new Read(null, problems);
  }

  private static java.util.Optional<ModelSpec> model(JsonNode node, String where, List<String> problems) {
    if (!node.isObject()) {
      problems.add(where + " must be an object with id, image and env");
      return java.util.Optional.empty();
    }
    int before = problems.size();
    unknownFields(node, MODEL_FIELDS, where + ".", problems);
    String id = text(node, "id", where + ".", problems);
    String image = text(node, "image", where + ".", problems);
    List<EnvVar> env = new ArrayList<>();
    JsonNode envNode = node.get("env");
    if (envNode != null && !envNode.isNull()) {
      if (!envNode.isObject()) {
        problems.add(where + ".env must be a map of NAME: value");
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> it = envNode.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          JsonNode v = e.getValue();
          if (v.isValueNode() && !v.isNull()) {
            env.add(new EnvVar(e.getKey(), v.asText()));
          } else {
            problems.add(where + ".env." + Ids.printable(e.getKey(), 80) + " must be a text, number or boolean"
                + (v.isNull() ? " (write \"\" for an empty value)" : ""));
          }
        }
      }
    }
    return problems.size() == before ? java.util.Optional.of(new ModelSpec(id, image, env)) : java.util.Optional.empty();
  }

  /**
   * The model with SIMULATOR_ID, SIMULATION_ID and MODEL_ID added to its environment where the
   * file does not set them: a DOTS model reads them to address its messages, and so a file can be
   * deployed again under another {@code --simulation-id}.
   */
  static ModelSpec withIdentity(ModelSpec model, String simulatorId, String simulationId) {
    List<EnvVar> env = new ArrayList<>(model.env());
    Set<String> named = new java.util.HashSet<>();
    model.env().forEach(e -> named.add(e.name()));
    for (EnvVar id : List.of(new EnvVar("SIMULATOR_ID", simulatorId), new EnvVar("SIMULATION_ID", simulationId),
        new EnvVar("MODEL_ID", model.modelId()))) {
      if (!named.contains(id.name())) {
        env.add(id);
      }
    }
    return new ModelSpec(model.modelId(), model.imageUrl(), env);
  }

  private static String text(JsonNode node, String field, String where, List<String> problems) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      problems.add(where + field + " is missing");
      return "";
    }
    if (!v.isTextual() && !v.isNumber()) {
      problems.add(where + field + " must be a text");
      return "";
    }
    return v.asText();
  }

  private static void unknownFields(JsonNode node, Set<String> known, String where, List<String> problems) {
    node.fieldNames().forEachRemaining(name -> {
      if (!known.contains(name)) {
        problems.add(where + Ids.printable(name, 80) + " is not a known field (known: "
            + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    });
  }

  private static Read problem(String problem) {
    return new Read(null, List.of(problem));
  }
}
