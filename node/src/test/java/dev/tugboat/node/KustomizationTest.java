package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tugboat.node.DeployFolder.Document;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kustomizations of k8s/deploy, checked offline with fabric8's model and a YAML reader
 * (kustomize itself is not needed): every listed file exists and parses, every patch and
 * replacement acts on objects and fields that exist, the image tag is the app version the pods
 * get, no Secret is applied and the examples stay outside, the Ingress reaches a real port.
 * KustomizeBuildTest renders the same folders with kustomize where kubectl is installed.
 */
class KustomizationTest {

  private static final String KUSTOMIZATION_API = "kustomize.config.k8s.io/v1beta1";
  private static final String COMPONENT_API = "kustomize.config.k8s.io/v1alpha1";
  private static final String APP_VERSION_VALUE = "spec.template.spec.containers.[name=tugboat].env.[name=TUGBOAT_APP_VERSION].value";

  /** Every kustomization under k8s/deploy. */
  static Stream<Path> kustomizations() throws IOException {
    try (Stream<Path> files = Files.walk(DeployFolder.DEPLOY)) {
      List<Path> dirs = files.filter(f -> f.getFileName().toString().equals(Kustomization.FILE))
          .map(Path::getParent).sorted().toList();
      assertEquals(Set.of(DeployFolder.BASE, DeployFolder.EXAMPLE_OVERLAY, DeployFolder.LEASE_COMPONENT),
          Set.copyOf(dirs), "the kustomizations this test knows");
      return dirs.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  void everyListedFileExistsAndParses(Path dir) {
    Kustomization k = Kustomization.read(dir);
    boolean component = "Component".equals(k.kind());
    assertEquals(component ? COMPONENT_API : KUSTOMIZATION_API, k.apiVersion(), dir + ": apiVersion of a " + k.kind());
    assertTrue(component || "Kustomization".equals(k.kind()), dir + ": kind " + k.kind());
    for (String resource : k.resources()) {
      Path path = dir.resolve(resource);
      if (Files.isDirectory(path)) {
        assertEquals("Kustomization", Kustomization.read(path).kind(), dir + ": resource " + resource);
      } else {
        List<Document> docs = DeployFolder.documents(path);
        assertFalse(docs.isEmpty(), dir + ": " + resource + " holds no object");
        docs.forEach(d -> assertNotNull(d.object().getMetadata().getName(), d + " has no name"));
      }
    }
    for (String c : k.components()) {
      assertEquals("Component", Kustomization.read(dir.resolve(c)).kind(), dir + ": component " + c);
    }
    for (Kustomization.Patch patch : k.patches()) {
      assertTrue(patch.path() == null ^ patch.patch() == null, dir + ": a patch has a path or inline text: " + patch);
      if (patch.path() != null) {
        assertEquals(1, DeployFolder.documents(dir.resolve(patch.path())).size(), dir + ": one object per patch file");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  void everyYamlFileInTheFolderIsListed(Path dir) throws IOException {
    Kustomization k = Kustomization.read(dir);
    Set<String> listed = new LinkedHashSet<>(k.resources());
    k.patches().stream().map(Kustomization.Patch::path).filter(Objects::nonNull).forEach(listed::add);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).toList()) {
        String name = file.getFileName().toString();
        assertTrue(name.equals(Kustomization.FILE) || listed.contains(name),
            dir + ": " + name + " is in the folder but not in its kustomization, so it is never applied");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  void everyPatchTargetsAnObjectThatExists(Path dir) {
    Kustomization k = Kustomization.read(dir);
    List<HasMetadata> objects = DeployFolder.objects(context(dir));
    for (Kustomization.Patch patch : k.patches()) {
      if (patch.path() != null) {
        HasMetadata partial = DeployFolder.documents(dir.resolve(patch.path())).get(0).object();
        HasMetadata target = only(objects, partial.getKind(), partial.getMetadata().getName(), partial.getMetadata().getNamespace(),
            dir + ": patch " + patch.path());
        if (partial instanceof Deployment d) {
          Set<String> containers = containerNames((Deployment) target);
          for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
            assertTrue(containers.contains(c.getName()),
                dir + ": patch " + patch.path() + " names container " + c.getName() + ", which would be added, not patched");
          }
        }
      } else {
        assertNotNull(patch.target(), dir + ": an inline patch needs a target");
        only(objects, patch.target().kind(), patch.target().name(), patch.target().namespace(), dir + ": inline patch");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  void everyReplacementReadsAndWritesFieldsThatExist(Path dir) {
    List<Document> docs = context(dir);
    for (Kustomization.Replacement r : Kustomization.read(dir).replacements()) {
      Kustomization.Source source = r.source();
      Document from = onlyDocument(docs, source.kind(), source.name(), source.namespace(), dir + ": replacement source");
      JsonNode value = Kustomization.at(Kustomization.tree(from.yaml()), source.fieldPath());
      assertTrue(value != null && value.isValueNode(), dir + ": replacement source " + source.fieldPath() + " is no field of " + from);
      assertFalse(r.targets().isEmpty(), dir + ": a replacement without targets");
      for (Kustomization.Target target : r.targets()) {
        Kustomization.Selector select = target.select();
        Document to = onlyDocument(docs, select.kind(), select.name(), select.namespace(), dir + ": replacement target");
        for (String fieldPath : target.fieldPaths()) {
          assertNotNull(Kustomization.at(Kustomization.tree(to.yaml()), fieldPath),
              dir + ": replacement target " + fieldPath + " is no field of " + to + " (kustomize would stop)");
        }
      }
    }
  }

  // ---- the example overlay ----

  @Test
  void theOverlaysImageTagIsTheAppVersionThePodsGet() {
    Kustomization.Image image = overlayImage();
    assertAll(
        () -> assertNotNull(image.newTag(), "the overlay's image has no newTag: the version"),
        () -> assertNull(image.digest(), "a digest instead of a tag leaves no version to copy"),
        () -> assertEquals(image.newTag(), appVersionAfterBuild(image.newName()),
            "TUGBOAT_APP_VERSION must be the image tag, so every new image is a new app version"));
  }

  /** Registries as people write them: the version is found in each. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tugboat", "registry.example.com/tugboat", "localhost:5001/tugboat",
      "registry.example.com:443/team/tugboat"})
  void theAppVersionIsTheTagWhateverTheRegistry(String newName) {
    assertEquals(overlayImage().newTag(), appVersionAfterBuild(newName));
  }

  @Test
  void anImageOfAnotherNameStopsTheBuildInsteadOfGivingAWrongVersion() {
    AssertionError stop = assertThrows(AssertionError.class,
        () -> appVersionAfterBuild("registry.example.com/tugboat-node"));
    assertTrue(stop.getMessage().contains("out of bounds"), stop.getMessage());
  }

  @Test
  void theExampleDeploysAnOddNumberOfAtLeastThreeNodes() {
    List<Kustomization.Replica> replicas = Kustomization.read(DeployFolder.EXAMPLE_OVERLAY).replicas();
    assertEquals(1, replicas.size());
    Kustomization.Replica r = replicas.get(0);
    only(DeployFolder.objects(DeployFolder.accumulated(DeployFolder.EXAMPLE_OVERLAY)), "Deployment", r.name(), null, "replicas");
    assertTrue(r.count() >= 3 && r.count() % 2 == 1, "keep-majority needs a majority of an odd count: " + r.count());
  }

  @Test
  void theIngressReachesAServicePortThatReachesAContainerPort() {
    List<HasMetadata> objects = DeployFolder.objects(DeployFolder.accumulated(DeployFolder.EXAMPLE_OVERLAY));
    List<Ingress> ingresses = objects.stream().filter(Ingress.class::isInstance).map(Ingress.class::cast).toList();
    assertEquals(1, ingresses.size(), "the example overlay has one Ingress");
    Ingress ingress = ingresses.get(0);
    Deployment deployment = (Deployment) only(objects, "Deployment", "tugboat", "tugboat", "the Deployment");
    List<IngressRule> rules = ingress.getSpec().getRules();
    assertFalse(rules.isEmpty(), "the Ingress has no rule");
    for (IngressRule rule : rules) {
      assertNotNull(rule.getHost(), "a rule without host answers every name");
      for (HTTPIngressPath path : rule.getHttp().getPaths()) {
        IngressServiceBackend backend = path.getBackend().getService();
        Service service = (Service) only(objects, "Service", backend.getName(), ingress.getMetadata().getNamespace(),
            "the Ingress's backend");
        ServicePort port = service.getSpec().getPorts().stream()
            .filter(p -> backend.getPort().getName() != null ? backend.getPort().getName().equals(p.getName())
                : backend.getPort().getNumber().equals(p.getPort()))
            .findFirst().orElseThrow(() -> new AssertionError("Service " + service.getMetadata().getName()
                + " has no port " + backend.getPort()));
        String target = port.getTargetPort().getStrVal();
        assertTrue(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                .anyMatch(p -> target != null ? target.equals(p.getName()) : port.getTargetPort().getIntVal().equals(p.getContainerPort())),
            "Service port " + port.getName() + " targets no container port");
      }
    }
  }

  // ---- what is applied, and what is not ----

  @Test
  void noKustomizationAppliesASecretOrAnExample() throws IOException {
    Set<Path> applied = new LinkedHashSet<>();
    for (Path dir : List.of(DeployFolder.EXAMPLE_OVERLAY, DeployFolder.LEASE_COMPONENT)) {
      collectFiles(dir, applied);
    }
    Path examples = DeployFolder.EXAMPLES.toAbsolutePath().normalize();
    for (Path file : applied) {
      assertFalse(file.startsWith(examples), file + " is applied: the examples must stay outside every kustomization");
      for (Document d : DeployFolder.documents(file)) {
        assertFalse(d.object() instanceof Secret, d + " is a Secret: credentials are made by hand, never applied from git");
      }
    }
    assertFalse(Files.exists(DeployFolder.EXAMPLES.resolve(Kustomization.FILE)), "examples/ must not be a kustomization");
    try (Stream<Path> dirs = kustomizations()) {
      dirs.forEach(dir -> assertTrue(Kustomization.read(dir).secretGenerator().isEmpty(), dir + " generates a Secret"));
    }
  }

  @Test
  void noFileUnderTheKustomizationsHoldsASecret() throws IOException {
    try (Stream<Path> files = Files.walk(DeployFolder.DEPLOY)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        if (file.startsWith(DeployFolder.EXAMPLES) || file.getFileName().toString().equals(Kustomization.FILE)) {
          continue;
        }
        for (Document d : DeployFolder.documents(file)) {
          assertFalse(d.object() instanceof Secret, d + " is a Secret outside examples/");
        }
      }
    }
  }

  @Test
  void theExampleSecretsAreOnlyInExamples() throws IOException {
    List<HasMetadata> secrets = DeployFolder.objects(DeployFolder.documents(DeployFolder.EXAMPLE_SECRETS));
    assertFalse(secrets.isEmpty());
    secrets.forEach(s -> assertInstanceOf(Secret.class, s));
    String header = Files.readString(DeployFolder.EXAMPLE_SECRETS).toUpperCase(Locale.ROOT);
    assertTrue(header.contains("EXAMPLE ONLY") && header.contains("NO KUSTOMIZATION APPLIES IT"));
  }

  // ---- helpers ----

  /** The image entry of the example overlay, for the base Deployment's image. */
  private static Kustomization.Image overlayImage() {
    Deployment d = baseDeployment();
    String name = imageName(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    List<Kustomization.Image> images = Kustomization.read(DeployFolder.EXAMPLE_OVERLAY).images().stream()
        .filter(i -> i.name().equals(name)).toList();
    assertEquals(1, images.size(), "the example overlay must set the image " + name);
    return images.get(0);
  }

  /**
   * TUGBOAT_APP_VERSION as kustomize builds the example overlay with the image renamed to
   * {@code newName}: the images transformer first, then the replacements, in their order (as
   * kustomize runs its built-in transformers).
   */
  private static String appVersionAfterBuild(String newName) {
    Kustomization k = Kustomization.read(DeployFolder.EXAMPLE_OVERLAY);
    Document doc = onlyDocument(DeployFolder.accumulated(DeployFolder.EXAMPLE_OVERLAY), "Deployment", "tugboat", "tugboat", "the Deployment");
    ObjectNode tree = (ObjectNode) Kustomization.tree(doc.yaml());
    ObjectNode container = (ObjectNode) Kustomization.at(tree, "spec.template.spec.containers.[name=tugboat]");
    Kustomization.Image image = overlayImage();
    container.set("image", new TextNode((newName == null ? image.name() : newName) + ":" + image.newTag()));
    List<Kustomization.Replacement> setting = k.replacements().stream()
        .filter(r -> r.targets().stream().anyMatch(t -> "Deployment".equals(t.select().kind())
            && "tugboat".equals(t.select().name()) && t.fieldPaths().contains(APP_VERSION_VALUE)))
        .toList();
    assertEquals(1, setting.size(), "one replacement must set " + APP_VERSION_VALUE);
    Kustomization.Source source = setting.get(0).source();
    assertEquals("Deployment", source.kind());
    assertEquals("tugboat", source.name(), "the replacement must read the Deployment the images transformer changed");
    JsonNode value = Kustomization.at(tree, source.fieldPath());
    assertNotNull(value, "the replacement's source " + source.fieldPath() + " is no field of the Deployment");
    String version = source.options() == null ? value.asText() : source.options().select(value.asText());
    for (Kustomization.Target t : setting.get(0).targets()) {
      assertNull(t.options(), "the app version is written whole, not into a part of the field");
    }
    return version;
  }

  private static Deployment baseDeployment() {
    return (Deployment) only(DeployFolder.objects(DeployFolder.ownResources(DeployFolder.BASE)), "Deployment", "tugboat",
        "tugboat", "the base's Deployment");
  }

  /** An image reference without its tag: the part before the last ':' that follows the last '/'. */
  private static String imageName(String image) {
    int colon = image.lastIndexOf(':');
    return colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
  }

  private static Set<String> containerNames(Deployment d) {
    Set<String> names = new LinkedHashSet<>();
    d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> names.add(c.getName()));
    return names;
  }

  /**
   * The documents a kustomization's patches and replacements may act on: what it accumulates;
   * for a component, also the base it is meant to be added to.
   */
  private static List<Document> context(Path dir) {
    List<Document> docs = new ArrayList<>(DeployFolder.accumulated(dir));
    if ("Component".equals(Kustomization.read(dir).kind())) {
      docs.addAll(DeployFolder.accumulated(DeployFolder.BASE));
    }
    return docs;
  }

  private static HasMetadata only(List<HasMetadata> objects, String kind, String name, String namespace, String what) {
    List<HasMetadata> found = objects.stream().filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name))
        .filter(o -> namespace == null || namespace.equals(o.getMetadata().getNamespace())).toList();
    assertEquals(1, found.size(), what + ": expected one " + kind + " " + name + (namespace == null ? "" : " in " + namespace)
        + ", found " + found.size());
    return found.get(0);
  }

  private static Document onlyDocument(List<Document> docs, String kind, String name, String namespace, String what) {
    List<Document> found = docs.stream().filter(d -> {
      HasMetadata o = d.object();
      return o.getKind().equals(kind) && o.getMetadata().getName().equals(name)
          && (namespace == null || namespace.equals(o.getMetadata().getNamespace()));
    }).toList();
    assertEquals(1, found.size(), what + ": expected one " + kind + " " + name + ", found " + found.size());
    return found.get(0);
  }

  /** Every file building {@code dir} reads: its resources, patch files, and those of what it lists. */
  private static void collectFiles(Path dir, Set<Path> files) {
    Kustomization k = Kustomization.read(dir);
    for (String entry : concat(k.resources(), k.components())) {
      Path path = dir.resolve(entry);
      if (Files.isDirectory(path)) {
        collectFiles(path, files);
      } else {
        files.add(path.toAbsolutePath().normalize());
      }
    }
    k.patches().stream().map(Kustomization.Patch::path).filter(Objects::nonNull)
        .forEach(p -> files.add(dir.resolve(p).toAbsolutePath().normalize()));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
