package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigResolver;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import dev.tugboat.http.HttpSettings;
import dev.tugboat.k8s.KubernetesSettings;
import dev.tugboat.mqtt.MqttSettings;
import dev.tugboat.node.DeployFolder.Document;
import dev.tugboat.persistence.EntitySettings;
import dev.tugboat.persistence.JournalConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Kubernetes manifests in k8s/deploy, checked offline: every document the base applies is a
 * typed Kubernetes object; the RBAC grants exactly what the code calls; the Deployment is a
 * three-node cluster with the right probes, and every variable it sets, itself or through the
 * example overlay's settings, is one Tugboat's configuration reads and loads into valid settings.
 * KustomizationTest checks how the kustomizations put the folder together.
 */
class DeploymentManifestsTest {

  private static final Path DEPLOY = DeployFolder.DEPLOY;
  private static final Path GATEWAY_SOURCES = Path.of("..", "k8s", "src", "main", "java", "dev", "tugboat", "k8s");
  private static final Path NODE_SOURCES = Path.of("src", "main", "java", "dev", "tugboat", "node");

  /** One permission: API group ("" = core), resource, verb. */
  record Permission(String group, String resource, String verb) implements Comparable<Permission> {
    @Override
    public int compareTo(Permission o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return (group.isEmpty() ? "" : group + "/") + resource + ":" + verb;
    }
  }

  /** A call the Kubernetes gateway makes, the permission it needs, and the source fragment that makes it. */
  record GatewayCall(Permission permission, String sourceFragment) {}

  /**
   * What KubernetesGateway asks of the API server in the model namespace. The fragment must occur
   * in the gateway's source (whitespace collapsed); the Role in dots must grant exactly these.
   */
  private static final List<GatewayCall> GATEWAY_CALLS = List.of(
      new GatewayCall(new Permission("", "pods", "create"), "pods().inNamespace(namespace).resource(pod).create()"),
      new GatewayCall(new Permission("", "pods", "get"), "pods().inNamespace(namespace).withName(name).get()"),
      new GatewayCall(new Permission("", "pods", "delete"), "pods().inNamespace(namespace).withName(name).delete()"),
      // A fabric8 informer lists, then watches from the list's resourceVersion.
      new GatewayCall(new Permission("", "pods", "list"), ".runnableInformer("),
      new GatewayCall(new Permission("", "pods", "watch"), ".runnableInformer("),
      // A pod's own Secret (its secret environment values): create, or on 409 bring it up to date
      // (fabric8's update reads the current version first).
      new GatewayCall(new Permission("", "secrets", "create"), "client.secrets().inNamespace(namespace).resource(secret)"),
      new GatewayCall(new Permission("", "secrets", "get"), ".createOr(NonDeletingOperation::update)"),
      new GatewayCall(new Permission("", "secrets", "update"), ".createOr(NonDeletingOperation::update)"),
      new GatewayCall(new Permission("", "pods/log", "get"), "client.raw(\"/api/v1/namespaces/\" + namespace + \"/pods/\" + name + \"/log?container=\""));

  /** fabric8 DSL operations and the permissions they need, to find pod calls missing from the table. */
  private static final Map<String, List<Permission>> FABRIC8_OPERATIONS = Map.ofEntries(
      Map.entry(".create(", List.of(new Permission("", "pods", "create"))),
      Map.entry(".createOr", List.of(new Permission("", "pods", "create"), new Permission("", "pods", "update"))),
      Map.entry(".get()", List.of(new Permission("", "pods", "get"))),
      Map.entry(".delete(", List.of(new Permission("", "pods", "delete"))),
      Map.entry(".list(", List.of(new Permission("", "pods", "list"))),
      Map.entry(".watch(", List.of(new Permission("", "pods", "watch"))),
      Map.entry(".inform(", List.of(new Permission("", "pods", "list"), new Permission("", "pods", "watch"))),
      Map.entry("Informer(", List.of(new Permission("", "pods", "list"), new Permission("", "pods", "watch"))),
      Map.entry(".patch(", List.of(new Permission("", "pods", "patch"))),
      Map.entry(".edit(", List.of(new Permission("", "pods", "patch"))),
      Map.entry(".serverSideApply(", List.of(new Permission("", "pods", "patch"))),
      Map.entry(".update(", List.of(new Permission("", "pods", "update"))),
      Map.entry(".replace(", List.of(new Permission("", "pods", "update"))),
      Map.entry(".updateStatus(", List.of(new Permission("", "pods/status", "update"))),
      Map.entry(".getLog(", List.of(new Permission("", "pods/log", "get"))),
      Map.entry(".watchLog(", List.of(new Permission("", "pods/log", "get"))),
      Map.entry(".exec(", List.of(new Permission("", "pods/exec", "create"))),
      Map.entry(".portForward(", List.of(new Permission("", "pods/portforward", "create"))),
      Map.entry(".evict(", List.of(new Permission("", "pods/eviction", "create"))));

  /**
   * What Tugboat's own namespace must allow: Cluster Bootstrap's Kubernetes API discovery lists
   * the pods labelled app=tugboat; pekko-lease-kubernetes reads, creates and updates its lease.
   */
  private static final Set<Permission> CLUSTER_NEEDS = Set.of(
      new Permission("", "pods", "get"),
      new Permission("", "pods", "list"),
      new Permission("", "pods", "watch"),
      new Permission("pekko.apache.org", "leases", "get"),
      new Permission("pekko.apache.org", "leases", "create"),
      new Permission("pekko.apache.org", "leases", "update"),
      new Permission("pekko.apache.org", "leases", "list"));

  /** What the kubelet puts into every container, whatever the Deployment says (the master service's links). */
  private static final Map<String, String> INJECTED_BY_KUBERNETES = Map.of(
      "KUBERNETES_SERVICE_HOST", "10.96.0.1",
      "KUBERNETES_SERVICE_PORT", "443",
      "KUBERNETES_PORT", "tcp://10.96.0.1:443",
      "HOSTNAME", "tugboat-7d9c6b5f4-x2x7q");

  private static final String POD_IP = "10.244.1.17";

  /** What the base applies. */
  private static List<Document> documents;
  private static List<HasMetadata> objects;
  /** The Secrets Tugboat reads, as the example (made by hand, never applied by a kustomization) defines them. */
  private static List<HasMetadata> exampleSecrets;
  /** The example overlay's settings: the variables every container gets from the ConfigMap tugboat-settings. */
  private static Map<String, String> settings;

  @BeforeAll
  static void load() {
    assertTrue(Files.isDirectory(DeployFolder.BASE), "no base at " + DeployFolder.BASE.toAbsolutePath());
    documents = DeployFolder.ownResources(DeployFolder.BASE);
    objects = DeployFolder.objects(documents);
    exampleSecrets = DeployFolder.objects(DeployFolder.documents(DeployFolder.EXAMPLE_SECRETS));
    settings = settingsOf(Kustomization.read(DeployFolder.EXAMPLE_OVERLAY));
  }

  static Stream<Document> documents() {
    if (documents == null) {
      load();
    }
    return documents.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void everyDocumentParsesToATypedKubernetesObject(Document document) {
    HasMetadata object = document.object();
    assertNotNull(object.getMetadata().getName(), document + " has no name");
    boolean clusterScoped = object instanceof Namespace || object instanceof CustomResourceDefinition;
    if (!clusterScoped) {
      assertTrue(Set.of("tugboat", "dots").contains(object.getMetadata().getNamespace()),
          document + ": namespaced objects belong in tugboat or dots, not " + object.getMetadata().getNamespace());
    }
  }

  @Test
  void theManifestsHoldEveryPartOfTheDeployment() {
    assertAll(
        () -> assertEquals(Set.of("tugboat", "dots"), names(Namespace.class, null)),
        () -> assertEquals(Set.of("tugboat"), names(ServiceAccount.class, "tugboat")),
        () -> assertEquals(1, names(Role.class, "dots").size()),
        () -> assertEquals(1, names(Role.class, "tugboat").size()),
        () -> assertEquals(Set.of(), names(CustomResourceDefinition.class, null),
            "a CRD needs cluster-admin: the lease's is the optional component's"),
        () -> assertEquals(Set.of("tugboat"), names(Deployment.class, "tugboat")),
        () -> assertTrue(names(Service.class, "tugboat").contains("tugboat")),
        () -> assertEquals(1, names(PodDisruptionBudget.class, "tugboat").size()),
        () -> assertEquals(Set.of(), names(Secret.class, null), "Secrets are made by hand, never applied from git"));
  }

  // ---- RBAC ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("gatewayCalls")
  void everyCitedCallIsInTheGatewaySource(GatewayCall call) {
    assertTrue(gatewaySource().contains(call.sourceFragment()),
        "KubernetesGateway no longer makes the call " + call.sourceFragment() + " (" + call.permission()
            + "): update the table and k8s/deploy/base/rbac-dots.yaml");
  }

  static Stream<GatewayCall> gatewayCalls() {
    return GATEWAY_CALLS.stream();
  }

  @Test
  void theGatewayMakesNoPodCallBeyondTheTable() {
    Set<Permission> used = new TreeSet<>();
    for (String statement : gatewaySource().split(";")) {
      if (statement.contains(".raw(")) {
        // A raw request names its resource in its path; an unknown one fails the comparison below.
        used.add(statement.contains("/pods/") && statement.contains("/log?") && statement.contains("\"GET\"")
            ? new Permission("", "pods/log", "get") : new Permission("?", statement.trim(), "raw"));
      }
      if (statement.contains("secrets()")) {
        // The only Secret call: its create-or-update.
        used.addAll(statement.contains(".createOr(") ? List.of(new Permission("", "secrets", "create"),
            new Permission("", "secrets", "get"), new Permission("", "secrets", "update"))
            : List.of(new Permission("?", statement.trim(), "secrets")));
        continue;
      }
      int at = statement.indexOf("pods()");
      if (at < 0) {
        continue;
      }
      String call = statement.substring(at);
      FABRIC8_OPERATIONS.forEach((operation, permissions) -> {
        if (call.contains(operation)) {
          used.addAll(permissions);
        }
      });
    }
    assertEquals(tablePermissions(), used,
        "the pod calls in k8s/src/main/java/dev/tugboat/k8s differ from the table (and so from the Role in dots)");
  }

  /** A fabric8 call on pods (not a record accessor that happens to be named pods()). */
  private static final java.util.regex.Pattern FABRIC8_POD_CALL = java.util.regex.Pattern.compile(
      "\\.pods\\(\\)\\s*\\.\\s*(inNamespace|inAnyNamespace|withName|withLabel|withLabels|resource|resources|list|watch|inform|delete|create)\\b");

  @Test
  void theNodeCallsKubernetesOnlyThroughTheGateway() throws IOException {
    // The benchmarks that watch the simulated Kubernetes themselves live in node/demo, apart.
    try (Stream<Path> files = Files.walk(NODE_SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        assertFalse(FABRIC8_POD_CALL.matcher(Files.readString(file)).find(),
            file + " calls the Kubernetes API itself: give its calls a row in the RBAC table");
      }
    }
  }

  @Test
  void theModelNamespaceRoleGrantsExactlyTheGatewaysCalls() {
    Role role = only(Role.class, "dots");
    assertEquals(tablePermissions(), permissions(role), "least privilege: the Role in dots must grant exactly the table");
  }

  @Test
  void theTugboatNamespaceRoleCoversBootstrapAndLeaseAndNothingElse() {
    Role role = only(Role.class, "tugboat");
    assertEquals(new TreeSet<>(CLUSTER_NEEDS), permissions(role));
  }

  @ParameterizedTest(name = "RoleBinding in {0}")
  @CsvSource({"dots", "tugboat"})
  void eachRoleIsBoundToTheTugboatServiceAccount(String namespace) {
    RoleBinding binding = only(RoleBinding.class, namespace);
    Role role = only(Role.class, namespace);
    assertAll(
        () -> assertEquals("Role", binding.getRoleRef().getKind()),
        () -> assertEquals("rbac.authorization.k8s.io", binding.getRoleRef().getApiGroup()),
        () -> assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName()),
        () -> assertEquals(1, binding.getSubjects().size()),
        () -> assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind()),
        () -> assertEquals("tugboat", binding.getSubjects().get(0).getName()),
        () -> assertEquals("tugboat", binding.getSubjects().get(0).getNamespace()));
  }

  @Test
  void theLeaseComponentDefinesTheLeaseTheRoleGrantsAndTurnsLeaseMajorityOn() throws IOException {
    Path component = DeployFolder.LEASE_COMPONENT;
    List<HasMetadata> own = DeployFolder.objects(DeployFolder.ownResources(component));
    assertEquals(1, own.size(), "the lease component adds the CRD only");
    CustomResourceDefinition crd = assertInstanceOf(CustomResourceDefinition.class, own.get(0));
    Kustomization kustomization = Kustomization.read(component);
    Deployment patch = assertInstanceOf(Deployment.class,
        DeployFolder.documents(component.resolve(kustomization.patches().get(0).path())).get(0).object());
    String options = patch.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("JDK_JAVA_OPTIONS")).map(EnvVar::getValue).findFirst()
        .orElseThrow(() -> new AssertionError("the lease component sets no JDK_JAVA_OPTIONS"));
    Config base = configUnder(podEnvironment());
    Map<String, String> properties = new HashMap<>();
    for (String option : options.strip().split("\\s+")) {
      int eq = option.indexOf('=');
      assertTrue(option.startsWith("-D") && eq > 2, "JDK_JAVA_OPTIONS: " + option + " is not -Dkey=value");
      String key = option.substring(2, eq);
      assertTrue(base.hasPath(key), "JDK_JAVA_OPTIONS sets " + key + ", which no configuration has (a typo is ignored)");
      properties.put(key, option.substring(eq + 1));
    }
    Config withOption = ConfigFactory.parseMap(properties).withFallback(base);
    assertAll(
        () -> assertEquals("pekko.apache.org", crd.getSpec().getGroup()),
        () -> assertEquals("leases", crd.getSpec().getNames().getPlural()),
        () -> assertEquals("Namespaced", crd.getSpec().getScope()),
        () -> assertTrue(crd.getSpec().getVersions().stream().anyMatch(v -> v.getName().equals("v1") && v.getStorage())),
        () -> assertTrue(permissions(only(Role.class, "tugboat")).containsAll(CLUSTER_NEEDS.stream()
            .filter(p -> p.group().equals(crd.getSpec().getGroup())).toList()), "the base Role grants the lease's verbs"),
        () -> assertEquals("Component", kustomization.kind(), "optional: an overlay lists it under components"),
        () -> assertTrue(Files.readString(component.resolve(Kustomization.FILE)).contains("OPTIONAL")),
        () -> assertEquals(1, kustomization.patches().size()),
        () -> assertEquals("lease-majority", withOption.getString("pekko.cluster.split-brain-resolver.active-strategy")),
        () -> assertEquals("pekko.coordination.lease.kubernetes",
            withOption.getString("pekko.cluster.split-brain-resolver.lease-majority.lease-implementation")),
        () -> assertTrue(withOption.hasPath("pekko.coordination.lease.kubernetes.lease-class"),
            "pekko-lease-kubernetes is on the classpath"));
  }

  // ---- the Deployment ----

  @Test
  void theDeploymentIsAThreeNodeClusterWithItsServiceAccount() {
    Deployment d = deployment();
    var spec = d.getSpec();
    var pod = spec.getTemplate().getSpec();
    assertAll(
        () -> assertEquals(3, spec.getReplicas()),
        () -> assertEquals("tugboat", pod.getServiceAccountName()),
        () -> assertEquals("tugboat", podLabels().get("app"), "bootstrap discovers pods by app=tugboat"),
        () -> assertTrue(matches(spec.getSelector().getMatchLabels(), podLabels())),
        () -> assertEquals("RollingUpdate", spec.getStrategy().getType()),
        () -> assertEquals(new IntOrString(0), spec.getStrategy().getRollingUpdate().getMaxUnavailable()),
        () -> assertEquals(new IntOrString(1), spec.getStrategy().getRollingUpdate().getMaxSurge()),
        () -> assertTrue(pod.getTerminationGracePeriodSeconds() >= 45, "time for a graceful leave and shard handoff"),
        () -> assertEquals(Boolean.FALSE, pod.getEnableServiceLinks(), "service links would set TUGBOAT_* variables"),
        () -> assertEquals(1, pod.getContainers().size()));
  }

  @ParameterizedTest(name = "port {0} = {1}")
  @CsvSource({"remoting, 25520", "management, 8558", "http, 8080"})
  void theContainerExposesItsPorts(String name, int port) {
    assertEquals(port, namedPort(name));
  }

  @Test
  void readinessIsTheNodesOwnChecksAndLivenessIsGenerous() {
    Container c = container();
    Probe ready = c.getReadinessProbe();
    Probe alive = c.getLivenessProbe();
    assertAll(
        () -> assertEquals("/health/ready", ready.getHttpGet().getPath()),
        () -> assertEquals(8080, port(ready.getHttpGet().getPort())),
        () -> assertEquals("/alive", alive.getHttpGet().getPath()),
        () -> assertEquals(8558, port(alive.getHttpGet().getPort())),
        () -> assertTrue(seconds(alive) >= 90,
            "a forming cluster must not be killed: liveness allows only " + seconds(alive) + " s"),
        () -> assertTrue(seconds(ready) < seconds(alive), "readiness reacts before liveness"));
  }

  @Test
  void theContainerHasResourceRequestsAndLimits() {
    var resources = container().getResources();
    assertAll(
        () -> assertTrue(resources.getRequests().keySet().containsAll(Set.of("cpu", "memory"))),
        () -> assertTrue(resources.getLimits().containsKey("memory")),
        () -> assertEquals(resources.getRequests().get("memory"), resources.getLimits().get("memory"),
            "equal memory request and limit: the JVM sizes its heap from the limit"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
      "TUGBOAT_MODE, production",
      "TUGBOAT_CLUSTER_BOOTSTRAP, kubernetes-api",
      "TUGBOAT_HTTP_INTERFACE, 0.0.0.0",
      "KUBERNETES_MODE, in-cluster",
      "KUBERNETES_NAMESPACE, dots",
      "TUGBOAT_DB_KIND, postgres"})
  void theDeploymentSetsTheProductionSettings(String name, String value) {
    assertEquals(value, env(name).getValue());
  }

  @Test
  void theRemoteHostIsThePodIp() {
    assertEquals("status.podIP", env("TUGBOAT_REMOTE_HOST").getValueFrom().getFieldRef().getFieldPath());
  }

  @ParameterizedTest(name = "{0} from secret {1}")
  @CsvSource({
      "TUGBOAT_DB_USER, tugboat-db", "TUGBOAT_DB_PASSWORD, tugboat-db",
      "MQTT_USERNAME, tugboat-mqtt", "MQTT_PASSWORD, tugboat-mqtt"})
  void credentialsComeFromSecretsThatTheExampleDefines(String name, String secret) {
    var ref = env(name).getValueFrom().getSecretKeyRef();
    assertEquals(secret, ref.getName());
    assertTrue(secret(secret).getStringData().containsKey(ref.getKey()), secret + " example lacks key " + ref.getKey());
  }

  @Test
  void everySecretTheDeploymentReadsIsInTheExample() {
    Set<String> read = new TreeSet<>();
    container().getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
        .forEach(e -> read.add(e.getValueFrom().getSecretKeyRef().getName()));
    deployment().getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getSecret() != null)
        .forEach(v -> read.add(v.getSecret().getSecretName()));
    Set<String> defined = exampleSecrets.stream().map(o -> o.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(defined, read, "the example must define exactly the Secrets the Deployment reads");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"TUGBOAT_DB_URL", "MQTT_HOST", "MQTT_PORT", "SIMULATOR_NAME"})
  void theSiteAddressesComeFromTheOverlaysSettings(String name) {
    assertTrue(settings.containsKey(name), "the example overlay's tugboat-settings lacks " + name);
    assertTrue(deploymentEnvNames().noneMatch(name::equals), name + " in env would hide the overlay's setting");
  }

  @Test
  void theContainerReadsTheSettingsConfigMapTheOverlayGenerates() {
    var refs = container().getEnvFrom();
    assertEquals(1, refs.size(), "one source of settings: " + refs);
    assertNotNull(refs.get(0).getConfigMapRef(), "settings come from a ConfigMap");
    String name = refs.get(0).getConfigMapRef().getName();
    assertTrue(refs.get(0).getConfigMapRef().getOptional() == null || !refs.get(0).getConfigMapRef().getOptional(),
        "without its settings a pod must not start (it would look for a broker on localhost)");
    var generators = Kustomization.read(DeployFolder.EXAMPLE_OVERLAY).configMapGenerator().stream()
        .filter(g -> g.name().equals(name)).toList();
    assertEquals(1, generators.size(), "the example overlay generates no ConfigMap " + name);
    assertEquals(deployment().getMetadata().getNamespace(), generators.get(0).namespace(),
        "the ConfigMap must be in the Deployment's namespace");
  }

  static Stream<String> settingNames() {
    if (settings == null) {
      load();
    }
    return settings.keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("settingNames")
  void everySettingIsAVariableTugboatReadsAndNoneIsHidden(String name) {
    assertAll(
        () -> assertTrue(variablesReadByConfiguration().contains(name),
            name + " is an overlay setting but no ${?" + name + "} exists in Tugboat's configuration"),
        () -> assertTrue(deploymentEnvNames().noneMatch(name::equals),
            name + " is also in the Deployment's env, which takes precedence: the setting would be ignored"));
  }

  @Test
  void exampleSecretsAreMarkedPlaceholders() throws IOException {
    String text = Files.readString(DeployFolder.EXAMPLE_SECRETS);
    assertTrue(text.contains("REPLACE_ME") && text.toUpperCase(Locale.ROOT).contains("EXAMPLE"));
    assertFalse(exampleSecrets.isEmpty());
    for (HasMetadata o : exampleSecrets) {
      Secret s = assertInstanceOf(Secret.class, o);
      assertTrue(s.getStringData().values().stream().anyMatch(v -> v.contains("REPLACE_ME")),
          s.getMetadata().getName() + " must hold placeholders only");
      assertTrue(s.getData() == null || s.getData().isEmpty(), s.getMetadata().getName() + " must hold placeholders only");
    }
  }

  @Test
  void prometheusScrapesTheMetricsEndpoint() throws IOException {
    Map<String, String> annotations = deployment().getSpec().getTemplate().getMetadata().getAnnotations();
    assertNotNull(annotations, "the pod template has no annotations");
    String routes = Files.readString(Path.of("..", "http", "src", "main", "java", "dev", "tugboat", "http", "TugboatRoutes.java"));
    int httpPort = HttpSettings.fromConfig(configUnder(podEnvironment())).port();
    assertAll(
        () -> assertEquals("true", annotations.get("prometheus.io/scrape")),
        () -> assertEquals("/metrics", annotations.get("prometheus.io/path")),
        () -> assertTrue(routes.contains("path(\"metrics\", () -> get(this::metrics))"), "TugboatRoutes serves GET /metrics"),
        () -> assertEquals(String.valueOf(httpPort), annotations.get("prometheus.io/port"),
            "the scrape port must be the port Tugboat's HTTP server binds"),
        () -> assertEquals(httpPort, namedPort("http"), "the container port http must be the HTTP server's"));
  }

  @Test
  void theAppVersionIsTheImageTagAndTheDockerfileRunsTheShadedJar() throws IOException {
    String image = container().getImage();
    String tag = image.substring(image.lastIndexOf(':') + 1);
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    assertAll(
        () -> assertEquals(tag, env("TUGBOAT_APP_VERSION").getValue(),
            "a rolling update needs a new app-version with every image"),
        () -> assertTrue(dockerfile.contains("FROM eclipse-temurin:17-jre")),
        () -> assertTrue(dockerfile.contains("COPY node/target/tugboat.jar /app/tugboat.jar")),
        () -> assertTrue(dockerfile.contains("ENTRYPOINT [\"java\",\"-jar\",\"/app/tugboat.jar\",\"run\"]")));
  }

  @Test
  void theImageGivesTheHeapHugePagesAndItsClassArchiveAndTheDeploymentKeepsTheImagesJvmOptions() throws IOException {
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    String options = dockerfile.lines().filter(l -> l.startsWith("ENV JAVA_TOOL_OPTIONS=")).findFirst()
        .orElseThrow(() -> new AssertionError("the Dockerfile sets no JAVA_TOOL_OPTIONS"));
    assertAll(
        () -> assertTrue(options.contains("-XX:+UseTransparentHugePages"), options),
        () -> assertTrue(options.contains("-XX:+ExitOnOutOfMemoryError"), options),
        () -> assertTrue(options.contains("-XX:SharedArchiveFile=/app/tugboat.jsa"), options),
        () -> assertTrue(dockerfile.contains("cds-archive --node-class-path /app/tugboat.jar --archive /app/tugboat.jsa"),
            "the archive the JVM is given is written by the image's cds stage from the jar it runs"),
        () -> assertTrue(dockerfile.contains("COPY --from=cds /app/tugboat.jar /app/tugboat.jar")
            && dockerfile.contains("COPY --from=cds /app/tugboat.jsa /app/tugboat.jsa"),
            "the jar and its archive come from the same stage: the JVM checks the jar's size and time"),
        () -> assertTrue(deploymentEnvNames().noneMatch(n -> n.equals("JAVA_TOOL_OPTIONS")),
            "a JAVA_TOOL_OPTIONS in the Deployment would replace the image's JVM options"));
  }

  static Stream<String> deploymentEnvNames() {
    if (objects == null) {
      load();
    }
    return container().getEnv().stream().map(EnvVar::getName);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deploymentEnvNames")
  void everyVariableTheDeploymentSetsIsReadByTheConfiguration(String name) {
    assertTrue(variablesReadByConfiguration().contains(name),
        name + " is set by the Deployment but no ${?" + name + "} exists in Tugboat's configuration");
  }

  @Test
  void theDeploymentsEnvironmentLoadsIntoValidSettings() {
    Config config = configUnder(podEnvironment());
    assertAll(
        () -> assertEquals(NodeSettings.Mode.PRODUCTION, NodeSettings.fromConfig(config).mode()),
        () -> assertEquals(KubernetesSettings.Mode.IN_CLUSTER, KubernetesSettings.fromConfig(config).mode()),
        () -> assertEquals("dots", KubernetesSettings.fromConfig(config).namespace()),
        () -> assertEquals(1883, MqttSettings.fromConfig(config).port()),
        () -> assertEquals("tugboat", MqttSettings.fromConfig(config).sharedGroup(), "a cluster shares its subscriptions"),
        () -> assertEquals("0.0.0.0", HttpSettings.fromConfig(config).interfaceAddress()),
        () -> assertNotNull(EntitySettings.fromConfig(config)),
        () -> assertEquals(JournalConfig.Kind.POSTGRES, JournalConfig.kind(JournalConfig.withDatabase(config))),
        () -> assertEquals("kubernetes-api", config.getString("tugboat.cluster.bootstrap")),
        () -> assertEquals(POD_IP, config.getString("pekko.remote.artery.canonical.hostname")),
        () -> assertEquals(POD_IP, config.getString("pekko.management.http.hostname")),
        () -> assertEquals(8558, config.getInt("pekko.management.http.port")),
        () -> assertEquals("tugboat", config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name")),
        () -> assertEquals(env("TUGBOAT_APP_VERSION").getValue(), config.getString("pekko.cluster.app-version")),
        () -> assertTrue(Set.of("keep-majority", "lease-majority")
            .contains(config.getString("pekko.cluster.split-brain-resolver.active-strategy"))));
  }

  @Test
  void kubernetesOwnKubernetesPortVariableIsAccepted() {
    // Kubernetes injects KUBERNETES_PORT=tcp://host:port into every pod, and the DOTS MSO reads
    // KUBERNETES_PORT as a number: a Tugboat pod must start even without the Deployment's override.
    Map<String, String> withoutOverride = new HashMap<>(podEnvironment());
    withoutOverride.put("KUBERNETES_PORT", INJECTED_BY_KUBERNETES.get("KUBERNETES_PORT"));
    Config config = configUnder(withoutOverride);
    assertEquals(443, KubernetesSettings.fromConfig(config).port());
  }

  // ---- Services and the disruption budget ----

  @Test
  void theHttpServiceSelectsTheDeploymentsPodsOnPort8080() {
    Service http = objects.stream().filter(o -> o instanceof Service && o.getMetadata().getName().equals("tugboat"))
        .map(Service.class::cast).findFirst().orElseThrow();
    var port = http.getSpec().getPorts().stream().filter(p -> p.getPort() == 8080).findFirst().orElseThrow();
    assertAll(
        () -> assertTrue(matches(http.getSpec().getSelector(), podLabels())),
        () -> assertEquals(8080, port(port.getTargetPort())));
  }

  @Test
  void everyServiceSelectsTugboatPodsAndReachesARealPort() {
    for (HasMetadata o : objects) {
      if (o instanceof Service s) {
        assertTrue(matches(s.getSpec().getSelector(), podLabels()), s.getMetadata().getName() + " selects no Tugboat pod");
        s.getSpec().getPorts().forEach(p -> port(p.getTargetPort()));
      }
    }
  }

  @Test
  void noServiceNameWouldInjectAVariableTugboatReads() {
    // Belt and braces to enableServiceLinks: false: the variables a Service named X would inject.
    Set<String> read = variablesReadByConfiguration();
    for (HasMetadata o : objects) {
      if (o instanceof Service s) {
        String prefix = s.getMetadata().getName().toUpperCase(Locale.ROOT).replace('-', '_');
        for (String suffix : List.of("_SERVICE_HOST", "_SERVICE_PORT", "_PORT")) {
          assertFalse(read.contains(prefix + suffix), "Service " + s.getMetadata().getName() + " would set " + prefix + suffix);
        }
      }
    }
  }

  @Test
  void theDisruptionBudgetSelectsTheDeploymentsPodsAndAllowsOneDown() {
    PodDisruptionBudget pdb = only(PodDisruptionBudget.class, "tugboat");
    assertAll(
        () -> assertTrue(matches(pdb.getSpec().getSelector().getMatchLabels(), podLabels())),
        () -> assertEquals(new IntOrString(1), pdb.getSpec().getMaxUnavailable()),
        () -> assertTrue(pdb.getSpec().getMinAvailable() == null));
  }

  // ---- helpers ----

  private static <T extends HasMetadata> Set<String> names(Class<T> type, String namespace) {
    return objects.stream().filter(type::isInstance)
        .filter(o -> namespace == null || namespace.equals(o.getMetadata().getNamespace()))
        .map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
  }

  private static <T extends HasMetadata> T only(Class<T> type, String namespace) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> namespace == null || namespace.equals(o.getMetadata().getNamespace())).toList();
    assertEquals(1, found.size(), "expected one " + type.getSimpleName() + " in " + namespace + ", found " + found.size());
    return found.get(0);
  }

  private static Deployment deployment() {
    return only(Deployment.class, "tugboat");
  }

  private static Container container() {
    return deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static Map<String, String> podLabels() {
    return deployment().getSpec().getTemplate().getMetadata().getLabels();
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
  }

  private static EnvVar env(String name) {
    return container().getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("the Deployment does not set " + name));
  }

  private static int namedPort(String name) {
    return container().getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow(() -> new AssertionError("no container port named " + name));
  }

  /** A probe's or Service's port, by number or by the container port's name. */
  private static int port(IntOrString port) {
    return port.getIntVal() != null ? port.getIntVal() : namedPort(port.getStrVal());
  }

  /** Seconds a probe tolerates failures before it acts (ignoring timeouts). */
  private static int seconds(Probe p) {
    int initial = p.getInitialDelaySeconds() == null ? 0 : p.getInitialDelaySeconds();
    int period = p.getPeriodSeconds() == null ? 10 : p.getPeriodSeconds();
    int failures = p.getFailureThreshold() == null ? 3 : p.getFailureThreshold();
    return initial + period * failures;
  }

  private static Set<Permission> tablePermissions() {
    return GATEWAY_CALLS.stream().map(GatewayCall::permission).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<Permission> permissions(Role role) {
    Set<Permission> granted = new TreeSet<>();
    for (PolicyRule rule : role.getRules()) {
      assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty());
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            assertFalse(group.equals("*") || resource.equals("*") || verb.equals("*"), "no wildcards in " + role);
            granted.add(new Permission(group, resource, verb));
          }
        }
      }
    }
    return granted;
  }

  /** The gateway's sources (the simulation in sim/ is in-process and excluded), whitespace collapsed. */
  private static String gatewaySource() {
    try (Stream<Path> files = Files.list(GATEWAY_SOURCES)) {
      StringBuilder all = new StringBuilder();
      for (Path f : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        all.append(Files.readString(f)).append('\n');
      }
      return all.toString().replaceAll("\\s+", " ").replace(" .", ".");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every variable named in an optional substitution of the node's configuration sources. */
  private static Set<String> variablesReadByConfiguration() {
    Pattern hocon = Pattern.compile("\\$\\{\\?([A-Za-z_][A-Za-z0-9_]*)}");
    Pattern logback = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*):-");
    Set<String> names = new TreeSet<>();
    for (String resource : List.of("reference.conf", "application.conf", "tugboat-persistence.conf",
        "tugboat-postgres.conf", "tugboat-h2.conf", "logback.xml")) {
      for (String text : resourceTexts(resource)) {
        for (Pattern p : List.of(hocon, logback)) {
          Matcher m = p.matcher(text);
          while (m.find()) {
            names.add(m.group(1));
          }
        }
      }
    }
    return names;
  }

  private static List<String> resourceTexts(String resource) {
    try {
      List<String> texts = new ArrayList<>();
      for (URL url : Collections.list(DeploymentManifestsTest.class.getClassLoader().getResources(resource))) {
        try (InputStream in = url.openStream()) {
          texts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
      return texts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The environment of a Tugboat container: what Kubernetes injects, overridden by the example
   * overlay's settings (envFrom), overridden by the Deployment's variables (as the kubelet does),
   * with the pod IP and the example secrets' values (a port must still be a number).
   */
  private static Map<String, String> podEnvironment() {
    Map<String, String> env = new HashMap<>(INJECTED_BY_KUBERNETES);
    env.putAll(settings);
    for (EnvVar e : container().getEnv()) {
      if (e.getValue() != null) {
        env.put(e.getName(), e.getValue());
      } else if (e.getValueFrom().getFieldRef() != null) {
        assertEquals("status.podIP", e.getValueFrom().getFieldRef().getFieldPath());
        env.put(e.getName(), POD_IP);
      } else {
        var ref = e.getValueFrom().getSecretKeyRef();
        env.put(e.getName(), secret(ref.getName()).getStringData().get(ref.getKey()));
      }
    }
    return env;
  }

  private static Secret secret(String name) {
    return exampleSecrets.stream().filter(o -> o instanceof Secret && o.getMetadata().getName().equals(name))
        .map(Secret.class::cast).findFirst().orElseThrow(() -> new AssertionError("the example defines no Secret " + name));
  }

  /** A kustomization's generated settings: the literals of its ConfigMap generators, as NAME=value. */
  static Map<String, String> settingsOf(Kustomization kustomization) {
    Map<String, String> literals = new HashMap<>();
    for (Kustomization.Generator g : kustomization.configMapGenerator()) {
      assertTrue(g.envs().isEmpty() && g.files().isEmpty(), g.name() + ": settings are literals, in the kustomization itself");
      for (String literal : g.literals()) {
        int eq = literal.indexOf('=');
        assertTrue(eq > 0, g.name() + ": " + literal + " is not NAME=value");
        assertNull(literals.put(literal.substring(0, eq), literal.substring(eq + 1)), "twice: " + literal);
      }
    }
    return literals;
  }

  /** application.conf over every reference.conf, resolved against {@code env} instead of this JVM's environment. */
  private static Config configUnder(Map<String, String> env) {
    ConfigResolver fromEnv = new ConfigResolver() {
      @Override
      public ConfigValue lookup(String path) {
        String value = env.get(path);
        return value == null ? null : ConfigValueFactory.fromAnyRef(value, "pod environment " + path);
      }

      @Override
      public ConfigResolver withFallback(ConfigResolver fallback) {
        return this;
      }
    };
    return ConfigFactory.parseResources("application.conf")
        .withFallback(ConfigFactory.parseResources("reference.conf"))
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false).appendResolver(fromEnv));
  }
}
