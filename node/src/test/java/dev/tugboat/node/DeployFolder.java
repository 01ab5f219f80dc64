package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The deployment folder k8s/deploy as the tests read it: the YAML documents of its files as typed
 * fabric8 objects, and which of them a kustomization applies.
 */
final class DeployFolder {

  /** surefire runs in the module directory, node/. */
  static final Path DEPLOY = Path.of("..", "k8s", "deploy");
  static final Path BASE = DEPLOY.resolve("base");
  static final Path EXAMPLE_OVERLAY = DEPLOY.resolve("overlays").resolve("example");
  static final Path LEASE_COMPONENT = DEPLOY.resolve("components").resolve("lease-majority");
  static final Path EXAMPLES = DEPLOY.resolve("examples");
  static final Path EXAMPLE_SECRETS = EXAMPLES.resolve("secrets.example.yaml");
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private DeployFolder() {}

  /** One YAML document of one manifest file. */
  record Document(Path file, int index, String yaml) {
    /** The document as a typed Kubernetes object; fails on a kind fabric8 does not know. */
    HasMetadata object() {
      HasMetadata object = assertInstanceOf(HasMetadata.class, SERIALIZATION.unmarshal(yaml),
          this + " is not a Kubernetes object");
      assertFalse(object instanceof GenericKubernetesResource,
          this + ": kind " + object.getKind() + " / " + object.getApiVersion() + " is unknown to fabric8 (typo or removed API?)");
      return object;
    }

    @Override
    public String toString() {
      return DEPLOY.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize()) + "#" + index;
    }
  }

  /** The non-empty documents of one YAML file. */
  static List<Document> documents(Path file) {
    assertTrue(Files.isRegularFile(file), "no file " + file.normalize());
    try {
      String[] parts = Files.readString(file).split("(?m)^---\\s*$");
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < parts.length; i++) {
        if (hasContent(parts[i])) {
          docs.add(new Document(file, i, parts[i]));
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The documents of the files {@code dir}'s kustomization lists as resources (not of the folders it lists). */
  static List<Document> ownResources(Path dir) {
    List<Document> docs = new ArrayList<>();
    for (String resource : Kustomization.read(dir).resources()) {
      Path path = dir.resolve(resource);
      if (!Files.isDirectory(path)) {
        docs.addAll(documents(path));
      }
    }
    return docs;
  }

  /**
   * Every document building {@code dir} starts from, before its generators, patches and
   * replacements: its files, and recursively those of the kustomizations and components it lists.
   */
  static List<Document> accumulated(Path dir) {
    Kustomization k = Kustomization.read(dir);
    List<Document> docs = new ArrayList<>();
    for (String resource : k.resources()) {
      Path path = dir.resolve(resource);
      docs.addAll(Files.isDirectory(path) ? accumulated(path) : documents(path));
    }
    for (String component : k.components()) {
      docs.addAll(accumulated(dir.resolve(component)));
    }
    return docs;
  }

  /** The typed objects of some documents. */
  static List<HasMetadata> objects(List<Document> docs) {
    return docs.stream().map(Document::object).toList();
  }

  private static boolean hasContent(String yaml) {
    return yaml.lines().map(String::strip).anyMatch(l -> !l.isEmpty() && !l.startsWith("#"));
  }
}
