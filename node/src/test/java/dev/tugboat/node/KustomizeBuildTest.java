package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The kustomizations built by kustomize itself ({@code kubectl kustomize}), where kubectl is
 * installed: the example overlay builds to the base's objects, changed only where the overlay
 * says, plus its Ingress and its settings; the lease component adds its CRD and its option on top.
 * Skipped without kubectl; KustomizationTest checks the same folders without it.
 */
@EnabledIf("kubectlIsInstalled")
class KustomizeBuildTest {

  private static final String PART_OF = "app.kubernetes.io/part-of";

  static boolean kubectlIsInstalled() {
    String path = System.getenv("PATH");
    return path != null && Arrays.stream(path.split(File.pathSeparator))
        .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl")));
  }

  @Test
  void theExampleOverlayBuildsToTheBaseChangedOnlyWhereTheOverlaySays() throws Exception {
    List<HasMetadata> built = build(DeployFolder.EXAMPLE_OVERLAY);
    Kustomization overlay = Kustomization.read(DeployFolder.EXAMPLE_OVERLAY);
    ConfigMap settings = onlyOf(built, ConfigMap.class);
    Deployment deployment = onlyOf(built, Deployment.class);

    Map<String, HasMetadata> expected = new HashMap<>();
    for (HasMetadata o : DeployFolder.objects(DeployFolder.ownResources(DeployFolder.BASE))) {
      if (o.getMetadata().getLabels() == null) {
        o.getMetadata().setLabels(new HashMap<>());
      }
      o.getMetadata().getLabels().put(PART_OF, "tugboat");
      expected.put(id(o), o);
    }
    for (HasMetadata o : DeployFolder.objects(DeployFolder.ownResources(DeployFolder.EXAMPLE_OVERLAY))) {
      expected.put(id(o), o);
    }
    Deployment base = (Deployment) expected.get("Deployment/tugboat/tugboat");
    Kustomization.Image image = overlay.images().get(0);
    base.getSpec().setReplicas(overlay.replicas().get(0).count());
    base.getSpec().getTemplate().getMetadata().getLabels().put(PART_OF, "tugboat");
    Container container = base.getSpec().getTemplate().getSpec().getContainers().get(0);
    container.setImage(image.newName() + ":" + image.newTag());
    container.getEnv().stream().filter(e -> e.getName().equals("TUGBOAT_APP_VERSION")).forEach(e -> e.setValue(image.newTag()));
    container.getEnvFrom().get(0).getConfigMapRef().setName(settings.getMetadata().getName());

    Kustomization.Generator generator = overlay.configMapGenerator().get(0);
    assertAll(
        () -> assertEquals(new TreeSet<>(expected.keySet()),
            built.stream().filter(o -> !(o instanceof ConfigMap)).map(KustomizeBuildTest::id).collect(Collectors.toCollection(TreeSet::new)),
            "the overlay applies the base's objects and its own, nothing else"),
        () -> assertTrue(built.stream().noneMatch(Secret.class::isInstance), "no Secret is applied"),
        () -> assertTrue(built.stream().allMatch(o -> "tugboat".equals(o.getMetadata().getLabels().get(PART_OF))),
            "every object is labelled " + PART_OF),
        () -> assertTrue(settings.getMetadata().getName().startsWith(generator.name() + "-"), "the settings' name has a content hash"),
        () -> assertEquals(generator.namespace(), settings.getMetadata().getNamespace()),
        () -> assertEquals(DeploymentManifestsTest.settingsOf(overlay), settings.getData()),
        () -> assertEquals(image.newTag(), appVersion(deployment), "TUGBOAT_APP_VERSION is the image tag"));
    for (HasMetadata o : built) {
      if (!(o instanceof ConfigMap)) {
        // As trees: kustomize sorts map keys, the source files need not.
        assertEquals(Kustomization.tree(DeployFolder.SERIALIZATION.asYaml(expected.get(id(o)))),
            Kustomization.tree(DeployFolder.SERIALIZATION.asYaml(o)), id(o) + " as kustomize builds it");
      }
    }
  }

  @Test
  void theLeaseComponentAddsItsDefinitionAndItsOptionToTheOverlay() throws Exception {
    Path dir = Path.of("target", "kustomize-lease-majority");
    Files.createDirectories(dir);
    Path from = dir.toAbsolutePath();
    Files.writeString(dir.resolve(Kustomization.FILE), String.join("\n",
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        "  - " + from.relativize(DeployFolder.EXAMPLE_OVERLAY.toAbsolutePath()),
        "components:",
        "  - " + from.relativize(DeployFolder.LEASE_COMPONENT.toAbsolutePath()),
        ""), StandardCharsets.UTF_8);
    List<HasMetadata> withLease = build(dir);
    List<HasMetadata> without = build(DeployFolder.EXAMPLE_OVERLAY);
    Deployment deployment = onlyOf(withLease, Deployment.class);
    Set<String> added = withLease.stream().map(KustomizeBuildTest::id).collect(Collectors.toCollection(TreeSet::new));
    without.forEach(o -> added.remove(id(o)));
    assertAll(
        () -> assertEquals(Set.of("CustomResourceDefinition//leases.pekko.apache.org"), added),
        () -> assertEquals("tugboat", onlyOf(withLease, CustomResourceDefinition.class).getMetadata().getLabels().get(PART_OF)),
        () -> assertEquals("-Dpekko.cluster.split-brain-resolver.active-strategy=lease-majority",
            env(deployment, "JDK_JAVA_OPTIONS")),
        () -> assertEquals(appVersion(onlyOf(without, Deployment.class)), appVersion(deployment)),
        () -> assertEquals(env(onlyOf(without, Deployment.class)).size() + 1, env(deployment).size(),
            "the component adds one variable and keeps the others"));
  }

  /** The objects {@code kubectl kustomize dir} prints. */
  private static List<HasMetadata> build(Path dir) throws IOException, InterruptedException {
    Path out = Files.createTempFile("kustomize", ".yaml");
    Path err = Files.createTempFile("kustomize", ".err");
    try {
      Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertTrue(kubectl.waitFor(2, TimeUnit.MINUTES), "kubectl kustomize " + dir + " did not finish");
      assertEquals(0, kubectl.exitValue(), "kubectl kustomize " + dir + ": " + Files.readString(err));
      List<HasMetadata> objects = DeployFolder.objects(DeployFolder.documents(out));
      assertFalse(objects.isEmpty(), "kubectl kustomize " + dir + " built nothing");
      return objects;
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String id(HasMetadata o) {
    String namespace = o.getMetadata().getNamespace();
    return o.getKind() + "/" + (namespace == null ? "" : namespace) + "/" + o.getMetadata().getName();
  }

  private static <T extends HasMetadata> T onlyOf(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, found.size(), "one " + type.getSimpleName() + " expected, built " + found.size());
    return found.get(0);
  }

  private static List<EnvVar> env(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
  }

  private static String env(Deployment d, String name) {
    return env(d).stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
        .orElseThrow(() -> new AssertionError("the built Deployment has no " + name));
  }

  private static String appVersion(Deployment d) {
    String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    String version = env(d, "TUGBOAT_APP_VERSION");
    assertNotNull(version);
    assertTrue(image.endsWith(":" + version), "image " + image + " and TUGBOAT_APP_VERSION " + version + " differ");
    return version;
  }
}
