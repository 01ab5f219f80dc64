package dev.tugboat.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.Ids;
import dev.tugboat.protocol.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The body of {@code POST /api/v1/simulations}: the JSON form of a DeployModels. Read strictly, so
 * nothing a client sends is ignored: an unknown or repeated field, a value of the wrong type (a
 * number where text belongs, text where a number belongs) or anything after the object is a 400
 * naming it. What it asks for is checked afterwards by the same DeployValidator as MQTT input.
 *
 * @param keepLogsHours hours a terminated model's pod is kept; 0 (delete at once) when absent, as in DeployModels
 */
public record DeployRequest(String simulationId, String simulatorId, List<Model> models, Double keepLogsHours) {

  /** One model: its id, its container image, its environment in the order given. */
  public record Model(String id, String image, LinkedHashMap<String, String> env) {}

  private static final ObjectReader READER = reader();

  private static ObjectReader reader() {
    JsonMapper mapper = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .build();
    for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
        CoercionInputShape.Boolean)) {
      mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
    mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    return mapper.readerFor(DeployRequest.class);
  }

  /** The request in {@code json}; an IllegalArgumentException says in one line what is wrong with it. */
  public static DeployRequest parse(String json) {
    if (json.isBlank()) {
      throw new IllegalArgumentException("the body must be a JSON DeployModels: {\"simulationId\", \"simulatorId\","
          + " \"models\": [{\"id\", \"image\", \"env\": {}}], \"keepLogsHours\"}");
    }
    DeployRequest request;
    try {
      request = READER.readValue(json);
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException("the body is not a valid DeployModels: unknown field '"
          + Ids.printable(e.getPropertyName(), 64) + "'" + at(e) + "; accepted: "
          + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
    } catch (MismatchedInputException e) {
      throw new IllegalArgumentException("the body is not a valid DeployModels: "
          + (e.getPath().isEmpty() ? "" : "field '" + fieldPath(e) + "': ")
          + Ids.printable(firstSentence(e.getOriginalMessage()), 200) + location(e));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the body is not a valid DeployModels: "
          + Ids.printable(e.getOriginalMessage(), 300) + location(e));
    }
    if (request == null) {
      throw new IllegalArgumentException("the body must be a JSON object, not null");
    }
    if (request.models() != null) {
      for (Model m : request.models()) {
        if (m == null) {
          throw new IllegalArgumentException("models must hold objects, not null");
        }
        if (m.env() != null && m.env().containsValue(null)) {
          throw new IllegalArgumentException("model '" + Ids.printable(m.id()) + "': an env value is null;"
              + " give a string (\"\" for empty)");
        }
      }
    }
    return request;
  }

  /** Where in the body a field is, e.g. {@code models[1].env}. */
  private static String fieldPath(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(Ids.printable(r.getFieldName(), 64));
      } else if (r.getIndex() >= 0) {
        path.append('[').append(r.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String at(JsonMappingException e) {
    String path = fieldPath(e);
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : " in " + path.substring(0, dot);
  }

  /** Jackson's message up to its first line break or " at [Source" (class names and sources stay out). */
  private static String firstSentence(String message) {
    String m = message == null ? "" : message;
    int cut = m.indexOf('\n');
    return cut < 0 ? m : m.substring(0, cut);
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? ""
        : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
  }

  /** The models as the validator and the Simulation entity take them (an absent list: none). */
  public List<ModelSpec> modelSpecs() {
    if (models == null) {
      return List.of();
    }
    List<ModelSpec> specs = new ArrayList<>(models.size());
    for (Model m : models) {
      List<EnvVar> env = new ArrayList<>();
      if (m.env() != null) {
        for (Map.Entry<String, String> e : m.env().entrySet()) {
          env.add(new EnvVar(e.getKey(), e.getValue()));
        }
      }
      specs.add(new ModelSpec(m.id(), m.image(), env));
    }
    return specs;
  }

  /** keepLogsHours, 0 when absent. */
  public double keepLogsHoursOrZero() {
    return keepLogsHours == null ? 0 : keepLogsHours;
  }
}
