package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigResolver;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import dev.tugboat.http.HttpSettings;
import dev.tugboat.k8s.KubernetesSettings;
import dev.tugboat.mqtt.MqttSettings;
import dev.tugboat.persistence.EntitySettings;
import dev.tugboat.persistence.JournalConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
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
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
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
 * The Kubernetes manifests in k8s/deploy, checked offline: every document is a typed Kubernetes
 * object; the RBAC grants exactly what the code calls; the Deployment is a three-node cluster
 * with the right probes, and every variable it sets is one Tugboat's configuration reads and
 * loads into valid settings.
 */
class DeploymentManifestsTest {

  /** surefire runs in the module directory, /work/main/node. */
  private static final Path DEPLOY = Path.of("..", "k8s", "deploy");
  private static final Path GATEWAY_SOURCES = Path.of("..", "k8s", "src", "main", "java", "dev", "tugboat", "k8s");
  private static final Path NODE_SOURCES = Path.of("src", "main", "java", "dev", "tugboat", "node");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

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

  private static List<Document> documents;
  private static List<HasMetadata> objects;

  /** One YAML document of one manifest file. */
  record Document(String file, int index, String yaml) {
    @Override
    public String toString() {
      return file + "#" + index;
    }
  }

  @BeforeAll
  static void load() throws IOException {
    assertTrue(Files.isDirectory(DEPLOY), "no manifests at " + DEPLOY.toAbsolutePath());
    List<Document> docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(DEPLOY)) {
      for (Path file : files.filter(DeploymentManifestsTest::isYaml).sorted().toList()) {
        String[] parts = Files.readString(file).split("(?m)^---\\s*$");
        for (int i = 0; i < parts.length; i++) {
          if (hasContent(parts[i])) {
            docs.add(new Document(file.getFileName().toString(), i, parts[i]));
          }
        }
      }
    }
    documents = List.copyOf(docs);
    objects = documents.stream().map(d -> (HasMetadata) SERIALIZATION.unmarshal(d.yaml())).toList();
  }

  static Stream<Document> documents() throws IOException {
    if (documents == null) {
      load();
    }
    return documents.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void everyDocumentParsesToATypedKubernetesObject(Document document) {
    Object parsed = SERIALIZATION.unmarshal(document.yaml());
    HasMetadata object = assertInstanceOf(HasMetadata.class, parsed, document + " is not a Kubernetes object");
    assertFalse(object instanceof GenericKubernetesResource,
        document + ": kind " + object.getKind() + " / " + object.getApiVersion() + " is unknown to fabric8 (typo or removed API?)");
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
        () -> assertEquals(Set.of("leases.pekko.apache.org"), names(CustomResourceDefinition.class, null)),
        () -> assertEquals(Set.of("tugboat"), names(Deployment.class, "tugboat")),
        () -> assertTrue(names(Service.class, "tugboat").contains("tugboat")),
        () -> assertEquals(1, names(PodDisruptionBudget.class, "tugboat").size()),
        () -> assertEquals(Set.of("tugboat-db", "tugboat-mqtt", "tugboat-secret-key"), names(Secret.class, "tugboat")));
  }

  // ---- RBAC ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("gatewayCalls")
  void everyCitedCallIsInTheGatewaySource(GatewayCall call) {
    assertTrue(gatewaySource().contains(call.sourceFragment()),
        "KubernetesGateway no longer makes the call " + call.sourceFragment() + " (" + call.permission()
            + "): update the table and 02-rbac-dots.yaml");
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
  void theLeaseDefinitionMatchesTheRoleAndIsMarkedOptional() throws IOException {
    CustomResourceDefinition crd = only(CustomResourceDefinition.class, null);
    Document doc = documents.get(objects.indexOf(crd));
    assertAll(
        () -> assertEquals("pekko.apache.org", crd.getSpec().getGroup()),
        () -> assertEquals("leases", crd.getSpec().getNames().getPlural()),
        () -> assertEquals("Namespaced", crd.getSpec().getScope()),
        () -> assertTrue(crd.getSpec().getVersions().stream().anyMatch(v -> v.getName().equals("v1") && v.getStorage())),
        () -> assertTrue(doc.file().contains("optional"), "the lease CRD's file name says it is optional"),
        () -> assertTrue(Files.readString(DEPLOY.resolve(doc.file())).contains("OPTIONAL"), "comment marks it optional"));
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
  void readinessIsClusterMembershipAndLivenessIsGenerous() {
    Container c = container();
    Probe ready = c.getReadinessProbe();
    Probe alive = c.getLivenessProbe();
    assertAll(
        () -> assertEquals("/ready", ready.getHttpGet().getPath()),
        () -> assertEquals(8558, port(ready.getHttpGet().getPort())),
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
      "TUGBOAT_DB_URL, tugboat-db", "TUGBOAT_DB_USER, tugboat-db", "TUGBOAT_DB_PASSWORD, tugboat-db",
      "MQTT_HOST, tugboat-mqtt", "MQTT_PORT, tugboat-mqtt", "MQTT_USERNAME, tugboat-mqtt", "MQTT_PASSWORD, tugboat-mqtt"})
  void credentialsComeFromSecretsThatTheExampleDefines(String name, String secret) {
    var ref = env(name).getValueFrom().getSecretKeyRef();
    assertEquals(secret, ref.getName());
    assertTrue(secret(secret).getStringData().containsKey(ref.getKey()), secret + " example lacks key " + ref.getKey());
  }

  @Test
  void exampleSecretsAreMarkedPlaceholders() throws IOException {
    String text = Files.readString(DEPLOY.resolve("secrets.example.yaml"));
    assertTrue(text.contains("REPLACE_ME") && text.toUpperCase(Locale.ROOT).contains("EXAMPLE"));
    for (HasMetadata o : objects) {
      if (o instanceof Secret s) {
        assertTrue(s.getStringData().values().stream().anyMatch(v -> v.contains("REPLACE_ME")),
            s.getMetadata().getName() + " must hold placeholders only");
      }
    }
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
  void theImageGivesTheHeapHugePagesAndTheDeploymentKeepsTheImagesJvmOptions() throws IOException {
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    String options = dockerfile.lines().filter(l -> l.startsWith("ENV JAVA_TOOL_OPTIONS=")).findFirst()
        .orElseThrow(() -> new AssertionError("the Dockerfile sets no JAVA_TOOL_OPTIONS"));
    assertAll(
        () -> assertTrue(options.contains("-XX:+UseTransparentHugePages"), options),
        () -> assertTrue(options.contains("-XX:+ExitOnOutOfMemoryError"), options),
        () -> assertTrue(deploymentEnvNames().noneMatch(n -> n.equals("JAVA_TOOL_OPTIONS")),
            "a JAVA_TOOL_OPTIONS in the Deployment would replace the image's JVM options"));
  }

  static Stream<String> deploymentEnvNames() throws IOException {
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

  private static boolean isYaml(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".yaml") || n.endsWith(".yml");
  }

  private static boolean hasContent(String yaml) {
    return yaml.lines().map(String::strip).anyMatch(l -> !l.isEmpty() && !l.startsWith("#"));
  }

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
   * The environment of a Tugboat container: what Kubernetes injects, overridden by the
   * Deployment's variables (as the kubelet does), with the pod IP and the example secrets'
   * values (a port must still be a number).
   */
  private static Map<String, String> podEnvironment() {
    Map<String, String> env = new HashMap<>(INJECTED_BY_KUBERNETES);
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
    return objects.stream().filter(o -> o instanceof Secret && o.getMetadata().getName().equals(name))
        .map(Secret.class::cast).findFirst().orElseThrow();
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
