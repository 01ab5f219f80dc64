package dev.tugboat.node;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A kustomization.yaml as kustomize reads it, limited to the fields k8s/deploy uses. A field not
 * modelled here fails the parse: a test never passes over a part of a kustomization it does not
 * understand (nor over a misspelt field, which kustomize would reject).
 */
record Kustomization(
    String apiVersion,
    String kind,
    List<String> resources,
    List<String> components,
    List<LabelSet> labels,
    List<Image> images,
    List<Replica> replicas,
    List<Generator> configMapGenerator,
    List<Generator> secretGenerator,
    List<Patch> patches,
    List<Replacement> replacements) {

  static final String FILE = "kustomization.yaml";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  Kustomization {
    resources = orEmpty(resources);
    components = orEmpty(components);
    labels = orEmpty(labels);
    images = orEmpty(images);
    replicas = orEmpty(replicas);
    configMapGenerator = orEmpty(configMapGenerator);
    secretGenerator = orEmpty(secretGenerator);
    patches = orEmpty(patches);
    replacements = orEmpty(replacements);
  }

  /** Labels added to every object of the kustomization (kustomize's {@code labels} field). */
  record LabelSet(Map<String, String> pairs, Boolean includeSelectors, Boolean includeTemplates) {}

  /** An {@code images} entry: the image named {@code name} becomes {@code newName:newTag}. */
  record Image(String name, String newName, String newTag, String digest) {}

  /** A {@code replicas} entry: the workload named {@code name} runs {@code count} pods. */
  record Replica(String name, int count) {}

  /** A ConfigMap or Secret generator. */
  record Generator(String name, String namespace, String behavior, List<String> literals, List<String> envs,
      List<String> files, GeneratorOptions options) {
    Generator {
      literals = orEmpty(literals);
      envs = orEmpty(envs);
      files = orEmpty(files);
    }
  }

  /** A generator's options: labels and annotations of the generated object, the name's hash. */
  record GeneratorOptions(Map<String, String> labels, Map<String, String> annotations, Boolean disableNameSuffixHash) {}

  /** A patch: a file ({@code path}) or inline text ({@code patch}), optionally with a target selector. */
  record Patch(String path, String patch, Selector target) {}

  /** The objects a patch or a replacement acts on. */
  record Selector(String group, String version, String kind, String name, String namespace, String labelSelector,
      String annotationSelector) {}

  /** A replacement: one field's value (or part of it) copied into fields of other objects. */
  record Replacement(Source source, List<Target> targets) {
    Replacement {
      targets = orEmpty(targets);
    }
  }

  /** Where a replacement's value comes from. */
  record Source(String group, String version, String kind, String name, String namespace, String fieldPath,
      FieldOptions options) {}

  /** Where a replacement's value goes. */
  record Target(Selector select, List<Selector> reject, List<String> fieldPaths, FieldOptions options) {
    Target {
      reject = orEmpty(reject);
      fieldPaths = orEmpty(fieldPaths);
    }
  }

  /** Which part of a field's value: the {@code index}-th piece when split at {@code delimiter}. */
  record FieldOptions(String delimiter, Integer index, Boolean create) {
    /**
     * The part of {@code value} these options select, as kustomize's replacement source reads it
     * (Go's strings.Split, then the index; an index past the end stops the build).
     */
    String select(String value) {
      if (delimiter == null || delimiter.isEmpty()) {
        return value;
      }
      List<String> parts = split(value, delimiter);
      int i = index == null ? 0 : index;
      if (i < 0 || i >= parts.size()) {
        throw new AssertionError("kustomize would stop: options.index " + i + " is out of bounds for value " + value);
      }
      return parts.get(i);
    }
  }

  /** The kustomization in {@code dir}. */
  static Kustomization read(Path dir) {
    Path file = dir.resolve(FILE);
    try {
      return YAML.readValue(Files.readString(file), Kustomization.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** A YAML text as a tree, for the field paths of patches and replacements. */
  static JsonNode tree(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The node at a kustomize field path ({@code spec.template.spec.containers.[name=tugboat].image}):
   * map keys, and {@code [key=value]} for the list element whose key has that value. Null where
   * the path leads nowhere, as kustomize finds no field there.
   */
  static JsonNode at(JsonNode root, String fieldPath) {
    JsonNode node = root;
    for (String step : pathSteps(fieldPath)) {
      if (node == null) {
        return null;
      }
      if (step.startsWith("[") && step.endsWith("]")) {
        String[] match = step.substring(1, step.length() - 1).split("=", 2);
        if (!node.isArray() || match.length != 2) {
          return null;
        }
        JsonNode found = null;
        for (JsonNode element : node) {
          if (match[1].equals(element.path(match[0]).asText(null))) {
            found = element;
            break;
          }
        }
        node = found;
      } else {
        node = node.isObject() ? node.get(step) : null;
      }
    }
    return node;
  }

  private static List<String> pathSteps(String fieldPath) {
    List<String> steps = new ArrayList<>();
    StringBuilder step = new StringBuilder();
    int depth = 0;
    for (char c : fieldPath.toCharArray()) {
      if (c == '.' && depth == 0) {
        steps.add(step.toString());
        step.setLength(0);
        continue;
      }
      depth += c == '[' ? 1 : c == ']' ? -1 : 0;
      step.append(c);
    }
    steps.add(step.toString());
    return steps;
  }

  /** Go's strings.Split: every piece between delimiters, empty ones included. */
  private static List<String> split(String value, String delimiter) {
    List<String> parts = new ArrayList<>();
    int from = 0;
    for (int at = value.indexOf(delimiter); at >= 0; at = value.indexOf(delimiter, from)) {
      parts.add(value.substring(from, at));
      from = at + delimiter.length();
    }
    parts.add(value.substring(from));
    return parts;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }
}
